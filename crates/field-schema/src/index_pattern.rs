//! Elasticsearch index patterns: which rules look at which index, and which mapping applies
//! to which index (`--schema INDEX_PATTERN=FILE`).
//!
//! A rule's `index` is a list of expressions, each possibly a comma list. An expression is a
//! name with `*` wildcards (the only wildcard index names know), or `-expression`, which removes
//! what the expressions *before it* matched ("Multi-target syntax" in the Elasticsearch API
//! conventions). Data streams: a hit from a backing index `.ds-<stream>-<yyyy.MM.dd>-<nnnnnn>`
//! is matched through its stream name, as a pattern that resolves to the stream searches its
//! backing indices.

use std::fmt;

/// A parsed list of index expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexPatterns {
    expressions: Vec<Expression>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Expression {
    exclude: bool,
    pattern: String,
}

/// An index expression that cannot match anything.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IndexPatternError {
    /// An empty item, as in `logs-*,,winlogbeat-*` or `-`.
    #[error("empty index expression in `{0}`")]
    Empty(String),
}

impl IndexPatterns {
    /// Parses the rule's `index` list (each item may itself be a comma list).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, IndexPatternError> {
        let mut expressions = Vec::new();
        for item in items {
            let item = item.as_ref();
            for part in item.split(',') {
                let part = part.trim();
                let (exclude, pattern) = match part.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, part),
                };
                if pattern.is_empty() {
                    return Err(IndexPatternError::Empty(item.to_owned()));
                }
                expressions.push(Expression { exclude, pattern: pattern.to_owned() });
            }
        }
        Ok(Self { expressions })
    }

    /// Whether the patterns select `index` (an index, alias or data-stream name).
    pub fn matches(&self, index: &str) -> bool {
        let stream = data_stream_of_backing_index(index);
        let mut selected = false;
        for expression in &self.expressions {
            if selected != expression.exclude {
                continue;
            }
            let hit = wildcard_match(&expression.pattern, index)
                || stream.is_some_and(|name| wildcard_match(&expression.pattern, name));
            if hit {
                selected = !expression.exclude;
            }
        }
        selected
    }

    /// Whether some index name could be selected by both lists: an included expression of
    /// each has a name in common (exclusions are not taken into account, so this may say
    /// yes where the exclusions leave nothing in common).
    pub fn may_overlap(&self, other: &IndexPatterns) -> bool {
        self.included().any(|mine| other.included().any(|theirs| wildcards_intersect(mine, theirs)))
    }

    /// The expressions that add indices (not the `-` exclusions), as written.
    pub fn included(&self) -> impl Iterator<Item = &str> {
        self.expressions
            .iter()
            .filter(|expression| !expression.exclude)
            .map(|expression| expression.pattern.as_str())
    }
}

impl fmt::Display for IndexPatterns {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, expression) in self.expressions.iter().enumerate() {
            if position > 0 {
                formatter.write_str(",")?;
            }
            if expression.exclude {
                formatter.write_str("-")?;
            }
            formatter.write_str(&expression.pattern)?;
        }
        Ok(())
    }
}

/// `logs-endpoint.events.file-default` for `.ds-logs-endpoint.events.file-default-2024.05.01-000001`.
fn data_stream_of_backing_index(index: &str) -> Option<&str> {
    let rest = index.strip_prefix(".ds-")?;
    // Strip `-<generation>` then `-<date>`.
    let (rest, generation) = rest.rsplit_once('-')?;
    if generation.is_empty() || !generation.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let (stream, date) = rest.rsplit_once('-')?;
    let date_like =
        !date.is_empty() && date.bytes().all(|byte| byte.is_ascii_digit() || byte == b'.');
    (date_like && !stream.is_empty()).then_some(stream)
}

/// `*` matches any run of characters (including none); everything else is literal.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.as_bytes();
    let text = text.as_bytes();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            backtrack = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star, start)) = backtrack {
            p = star + 1;
            t = start + 1;
            backtrack = Some((star, start + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// Whether some text matches both `*`-wildcard patterns: a walk of the product of the two
/// patterns' automata, `reach[i][j]` saying that some text leads `a` to `i` and `b` to `j`.
fn wildcards_intersect(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut reach = vec![vec![false; b.len() + 1]; a.len() + 1];
    reach[0][0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reach[i][j] {
                continue;
            }
            let (star_a, star_b) = (a.get(i) == Some(&b'*'), b.get(j) == Some(&b'*'));
            if star_a {
                // The star matches nothing more, or takes the next character `b` reads.
                reach[i + 1][j] = true;
                if j < b.len() {
                    reach[i][j + 1] = true;
                }
            }
            if star_b {
                reach[i][j + 1] = true;
                if i < a.len() {
                    reach[i + 1][j] = true;
                }
            }
            if !star_a && !star_b && i < a.len() && j < b.len() && a[i] == b[j] {
                reach[i + 1][j + 1] = true;
            }
        }
    }
    reach[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(items: &[&str]) -> IndexPatterns {
        IndexPatterns::parse(items).unwrap()
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("logs-*", "logs-system.security-default", true),
            ("logs-*", "logs-", true),
            ("logs-*", "logs", false),
            ("*", "anything", true),
            ("*-default", "logs-x-default", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("winlogbeat-*", "winlogbeat-8.17.0", true),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("logs-system.security*", "logs-system.security-default", true),
        ];
        for (pattern, index, expected) in cases {
            assert_eq!(wildcard_match(pattern, index), expected, "{pattern} vs {index}");
        }
    }

    #[test]
    fn wildcard_patterns_intersect_when_some_name_matches_both() {
        let cases = [
            ("logs-*", "logs-endpoint.events.*", true),
            ("logs-*", "winlogbeat-*", false),
            ("*-default", "logs-*", true),
            ("sample1", "sample*", true),
            ("sample1", "sample2", false),
            ("a*c", "*b*", true),
            ("a*c", "b*", false),
            ("*", "anything", true),
            ("ab", "a*b*", true),
            ("abc", "a*bd", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(wildcards_intersect(a, b), expected, "{a} vs {b}");
            assert_eq!(wildcards_intersect(b, a), expected, "{b} vs {a}");
        }
        let rule = patterns(&["logs-endpoint.events.*", "winlogbeat-*"]);
        assert!(rule.may_overlap(&patterns(&["logs-*"])));
        assert!(!rule.may_overlap(&patterns(&["auditbeat-*,-winlogbeat-*"])));
    }

    #[test]
    fn comma_lists_and_exclusions_apply_in_order() {
        let rule = patterns(&["logs-*,-logs-test-*", "winlogbeat-*"]);
        assert!(rule.matches("logs-windows.forwarded-default"));
        assert!(!rule.matches("logs-test-default"));
        assert!(rule.matches("winlogbeat-8"));
        assert!(!rule.matches("auditbeat-8"));
        // An exclusion removes only what came before it.
        let later = patterns(&["-logs-test-*", "logs-*"]);
        assert!(later.matches("logs-test-default"));
        assert_eq!(rule.to_string(), "logs-*,-logs-test-*,winlogbeat-*");
    }

    #[test]
    fn backing_indices_match_through_their_data_stream() {
        let rule = patterns(&["logs-endpoint.events.file-*"]);
        assert!(rule.matches("logs-endpoint.events.file-default"));
        assert!(rule.matches(".ds-logs-endpoint.events.file-default-2024.05.01-000001"));
        assert!(!rule.matches(".ds-logs-endpoint.events.process-default-2024.05.01-000001"));
        assert!(!rule.matches("logs-endpoint.events.process-default"));
    }

    #[test]
    fn empty_items_are_rejected() {
        assert!(IndexPatterns::parse(&["logs-*,,x"]).is_err());
        assert!(IndexPatterns::parse(&["-"]).is_err());
        assert!(IndexPatterns::parse::<&str>(&[]).is_ok_and(|p| !p.matches("x")));
    }
}
