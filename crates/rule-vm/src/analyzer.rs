//! Full-text matching on `text` / `match_only_text` fields: Elasticsearch's `standard`
//! analyzer (UAX#29 word split + lower-casing) and the three token queries Kibana sends
//! (kql.md §2.3): `match` (any query token), `match_phrase` (all tokens, adjacent, in
//! order) and a `query_string` wildcard piece (a glob applied to each token).

use std::fmt;

use unicode_segmentation::UnicodeSegmentation;

use crate::matcher::StrMatcher;

/// The tokens of `text` under the standard analyzer: UAX#29 words that contain a letter,
/// digit or ideograph, lower-cased (ES reference, "Standard analyzer": standard tokenizer
/// + lowercase filter).
pub fn standard_tokens(text: &str) -> Vec<String> {
    text.unicode_words().map(str::to_lowercase).collect()
}

/// The analysed tokens of one value, kept in reusable buffers (no allocation once warm).
#[derive(Default, Debug)]
pub(crate) struct TokenBuf {
    text: String,
    ranges: Vec<(usize, usize)>,
}

impl TokenBuf {
    /// Analyses `value` into the buffer, replacing what was there.
    pub(crate) fn fill(&mut self, value: &str) {
        self.text.clear();
        self.ranges.clear();
        for word in value.unicode_words() {
            let start = self.text.len();
            self.text.extend(word.chars().flat_map(char::to_lowercase));
            self.ranges.push((start, self.text.len()));
        }
    }

    fn token(&self, index: usize) -> &str {
        let (start, end) = self.ranges[index];
        &self.text[start..end]
    }

    fn len(&self) -> usize {
        self.ranges.len()
    }
}

/// A query on the tokens of a text field.
#[derive(Clone, Debug)]
pub enum TokenQuery {
    /// `match`: some value token equals one of these (already analysed) query tokens.
    AnyToken(Vec<Box<str>>),
    /// `match_phrase`: the query tokens occur adjacent and in order among the value tokens.
    Phrase(Vec<Box<str>>),
    /// A wildcard piece of `query_string`: some value token matches the (lower-cased) glob.
    TokenGlob(StrMatcher),
}

impl TokenQuery {
    /// `match` for query text `query` (analysed here).
    pub fn any_token(query: &str) -> TokenQuery {
        TokenQuery::AnyToken(standard_tokens(query).into_iter().map(Into::into).collect())
    }

    /// `match_phrase` for query text `query` (analysed here).
    pub fn phrase(query: &str) -> TokenQuery {
        TokenQuery::Phrase(standard_tokens(query).into_iter().map(Into::into).collect())
    }

    /// True if the analysed value in `tokens` matches. A query without tokens (only
    /// punctuation) matches nothing, as ES's `zero_terms_query: none`.
    pub(crate) fn is_match(&self, tokens: &TokenBuf, scratch: &mut String) -> bool {
        let count = tokens.len();
        match self {
            TokenQuery::AnyToken(wanted) => {
                (0..count).any(|i| wanted.iter().any(|w| **w == *tokens.token(i)))
            }
            TokenQuery::Phrase(wanted) => {
                !wanted.is_empty()
                    && count >= wanted.len()
                    && (0..=count - wanted.len()).any(|start| {
                        wanted.iter().enumerate().all(|(k, w)| **w == *tokens.token(start + k))
                    })
            }
            TokenQuery::TokenGlob(matcher) => {
                (0..count).any(|i| matcher.is_match(tokens.token(i), scratch))
            }
        }
    }
}

impl fmt::Display for TokenQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenQuery::AnyToken(tokens) => write!(f, "any_token {tokens:?}"),
            TokenQuery::Phrase(tokens) => write!(f, "phrase {tokens:?}"),
            TokenQuery::TokenGlob(matcher) => write!(f, "token {matcher}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::CaseMode;

    fn matches(query: &TokenQuery, value: &str) -> bool {
        let mut tokens = TokenBuf::default();
        tokens.fill(value);
        query.is_match(&tokens, &mut String::new())
    }

    #[test]
    fn standard_analyzer_splits_words_and_lowercases() {
        assert_eq!(standard_tokens("Hello, World! foo_bar"), ["hello", "world", "foo_bar"]);
        assert_eq!(standard_tokens("192.168.16.3 can't"), ["192.168.16.3", "can't"]);
        assert!(standard_tokens("'?' -- !").is_empty());
    }

    #[test]
    fn match_phrase_and_token_globs() {
        assert!(matches(&TokenQuery::any_token("foo bar"), "bar baz"));
        assert!(!matches(&TokenQuery::any_token("foo"), "food"));
        assert!(matches(&TokenQuery::phrase("Quick Brown"), "the quick brown fox"));
        assert!(!matches(&TokenQuery::phrase("brown quick"), "the quick brown fox"));
        assert!(!matches(&TokenQuery::phrase("'?'"), "'?'"));
        let glob = TokenQuery::TokenGlob(StrMatcher::glob("qui*", false, CaseMode::Sensitive));
        assert!(matches(&glob, "The QUICK fox"));
        assert!(!matches(&glob, "the quack"));
    }
}
