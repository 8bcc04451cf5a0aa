//! Turns pest's "stopped here" into a [`KqlError`] in words, by looking at the text around
//! the position where Kibana's grammar gives up, plus an approximation of Kibana's own
//! `Expected … but … found.` message.

use pest::error::{Error, ErrorVariant, InputLocation};
use rule_span::Span;

use super::brackets::structural_brackets;
use super::pest::Rule;
use crate::error::KqlError;

/// What went wrong, in words and in Kibana's form.
pub(super) struct Diagnosis {
    pub(super) error: KqlError,
    pub(super) kibana_message: String,
}

const SPACES: [char; 5] = [' ', '\t', '\r', '\n', '\u{A0}'];

pub(super) fn diagnose(text: &str, error: &Error<Rule>) -> Diagnosis {
    let pos = match error.location {
        InputLocation::Pos(pos) | InputLocation::Span((pos, _)) => pos.min(text.len()),
    };
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        ErrorVariant::CustomError { .. } => &[],
    };
    let found = text[pos..].chars().next();
    Diagnosis {
        error: classify(text, pos, found),
        kibana_message: kibana_message(positives, text, pos),
    }
}

fn span(start: usize, end: usize) -> miette::SourceSpan {
    Span::from_range(start..end).into()
}

fn char_span(pos: usize, c: char) -> miette::SourceSpan {
    span(pos, pos + c.len_utf8())
}

fn classify(text: &str, pos: usize, found: Option<char>) -> KqlError {
    let before = &text[..pos];
    let trimmed = before.trim_end_matches(SPACES);
    let spaced = trimmed.len() < before.len();
    let Some(c) = found else {
        return at_end(text, trimmed, spaced);
    };
    let here = char_span(pos, c);
    if starts_with_not_keyword(&text[pos..]) {
        return at_not(text, pos, trimmed, spaced);
    }
    match c {
        '"' if !closes_quote(&text[pos + 1..]) => {
            KqlError::UnterminatedString { span: span(pos, text.len()) }
        }
        ')' | '}' => at_close(text, pos, c, trimmed, spaced),
        '(' => at_open_paren(trimmed, spaced, here),
        '<' | '>' => {
            let operator =
                if text[pos + 1..].starts_with('=') { format!("{c}=") } else { c.into() };
            let op_span = span(pos, pos + operator.len());
            if let Some(field) = trimmed.strip_suffix(':') {
                KqlError::RangeAfterColon {
                    field: last_word(field).to_owned(),
                    operator,
                    span: op_span,
                }
            } else if expects_field(trimmed) {
                KqlError::ExpectedField { found: operator, span: op_span }
            } else {
                KqlError::MisplacedRange { operator, span: op_span }
            }
        }
        ':' if expects_field(trimmed) => KqlError::ExpectedField { found: ":".into(), span: here },
        ':' => match juxtaposed_word(trimmed) {
            Some(start) => KqlError::ImplicitAnd { span: span(start, pos) },
            None => KqlError::SpecialCharacter { found: c, span: here },
        },
        '\\' => KqlError::InvalidEscape { span: here },
        '"' => KqlError::ImplicitAnd { span: here },
        '{' => KqlError::SpecialCharacter { found: c, span: here },
        _ if trimmed.ends_with(['"', ')', '}']) => KqlError::ImplicitAnd { span: here },
        _ => KqlError::Syntax { message: format!("unexpected `{c}`"), span: here },
    }
}

fn at_end(text: &str, trimmed: &str, spaced: bool) -> KqlError {
    let end = span(text.len(), text.len());
    if trimmed.ends_with(':') {
        return KqlError::ExpectedValue { span: span(trimmed.len() - 1, trimmed.len()) };
    }
    if trimmed.ends_with(['<', '>', '=']) {
        let op_len = if trimmed.ends_with('=') { 2 } else { 1 };
        return KqlError::ExpectedRangeValue { span: span(trimmed.len() - op_len, trimmed.len()) };
    }
    if let Some(keyword) = trailing_keyword(trimmed).filter(|_| spaced) {
        let start = trimmed.len() - keyword.len();
        return KqlError::DanglingKeyword {
            keyword: keyword.to_owned(),
            span: span(start, trimmed.len()),
        };
    }
    match innermost_unclosed(text) {
        Some((offset, '{')) => KqlError::UnclosedBrace { span: span(offset, offset + 1) },
        Some((offset, _)) => KqlError::UnclosedParen { span: span(offset, offset + 1) },
        None => KqlError::Syntax { message: "unexpected end of query".into(), span: end },
    }
}

fn at_not(text: &str, pos: usize, trimmed: &str, spaced: bool) -> KqlError {
    let not_span = span(pos, pos + 3);
    if let Some(field) = trimmed.strip_suffix(':') {
        return KqlError::NotAfterColon { field: last_word(field).to_owned(), span: not_span };
    }
    if spaced && trailing_keyword(trimmed).is_some_and(|k| k.eq_ignore_ascii_case("not")) {
        return KqlError::DoubleNot { span: not_span };
    }
    let word_start = after_last(&text[..pos], |c| SPACES.contains(&c)).unwrap_or(0);
    KqlError::NotInsideValue { word: text[word_start..pos + 3].to_owned(), span: not_span }
}

fn at_close(text: &str, pos: usize, c: char, trimmed: &str, spaced: bool) -> KqlError {
    let opener = if c == ')' { '(' } else { '{' };
    if trimmed.ends_with(opener) {
        let group = if c == ')' { "parentheses" } else { "nested query" };
        return KqlError::EmptyGroup { group, span: span(trimmed.len() - 1, pos + 1) };
    }
    if let Some(keyword) = trailing_keyword(trimmed).filter(|_| spaced) {
        let start = trimmed.len() - keyword.len();
        return KqlError::DanglingKeyword {
            keyword: keyword.to_owned(),
            span: span(start, trimmed.len()),
        };
    }
    if trimmed.ends_with(':') {
        return KqlError::ExpectedValue { span: span(trimmed.len() - 1, trimmed.len()) };
    }
    if innermost_unclosed(&text[..pos]).is_none() {
        return KqlError::UnmatchedClose { found: c, span: char_span(pos, c) };
    }
    KqlError::SpecialCharacter { found: c, span: char_span(pos, c) }
}

fn at_open_paren(trimmed: &str, spaced: bool, here: miette::SourceSpan) -> KqlError {
    if !spaced {
        match trailing_keyword(trimmed) {
            Some(k) if k.eq_ignore_ascii_case("not") => {
                return KqlError::NotNeedsWhitespace { span: here };
            }
            Some(k) => {
                return KqlError::KeywordNeedsWhitespace { keyword: k.to_owned(), span: here };
            }
            None => {}
        }
    }
    if spaced || trimmed.ends_with(['"', ')', '}']) {
        KqlError::ImplicitAnd { span: here }
    } else {
        KqlError::SpecialCharacter { found: '(', span: here }
    }
}

/// True if `rest` starts with Kibana's `Not` token: `not` (any case) then whitespace.
fn starts_with_not_keyword(rest: &str) -> bool {
    rest.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("not")) && rest[3..].starts_with(SPACES)
}

/// The keyword (`or`, `and`, `not`, any case) that ends `trimmed` as a word of its own.
fn trailing_keyword(trimmed: &str) -> Option<&str> {
    let word_start =
        after_last(trimmed, |c| SPACES.contains(&c) || c == '(' || c == '{').unwrap_or(0);
    let word = &trimmed[word_start..];
    let is_not = word.eq_ignore_ascii_case("not");
    let is_binary = word.eq_ignore_ascii_case("or") || word.eq_ignore_ascii_case("and");
    let after_space = trimmed[..word_start].ends_with(SPACES);
    (is_not || (is_binary && after_space)).then_some(word)
}

/// True where a field name should come: at the start, after `(`/`{` or after a keyword.
fn expects_field(trimmed: &str) -> bool {
    trimmed.is_empty() || trimmed.ends_with(['(', '{']) || trailing_keyword(trimmed).is_some()
}

/// For `a:b c:d`: the start of the word `c` when the unquoted text since the previous `:`
/// (or range operator) holds whitespace, i.e. a second condition was meant.
fn juxtaposed_word(trimmed: &str) -> Option<usize> {
    let segment_start = trimmed.rfind([':', '<', '>', '(']).map_or(0, |i| i + 1);
    let segment = trimmed[segment_start..].trim_start_matches(SPACES);
    let offset = trimmed.len() - segment.len();
    after_last(segment, |c| SPACES.contains(&c)).map(|i| offset + i)
}

/// The last whitespace-separated word of `text` (a field name before `:`).
fn last_word(text: &str) -> &str {
    let text = text.trim_end_matches(SPACES);
    after_last(text, |c| SPACES.contains(&c)).map_or(text, |i| &text[i..])
}

/// The byte offset just after the last character of `text` matching `pred`.
fn after_last(text: &str, pred: impl Fn(char) -> bool) -> Option<usize> {
    text.char_indices().rev().find(|&(_, c)| pred(c)).map(|(i, c)| i + c.len_utf8())
}

/// True if a quoted string's body `rest` (after the opening quote) has a closing quote.
fn closes_quote(rest: &str) -> bool {
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return true,
            // `\\` and `\"` are escapes; any other backslash is literal, as in Kibana.
            '\\' if chars.as_str().starts_with(['\\', '"']) => {
                chars.next();
            }
            _ => {}
        }
    }
    false
}

/// The innermost `(` or `{` still open at the end of `text` (outside quotes, unescaped).
fn innermost_unclosed(text: &str) -> Option<(usize, char)> {
    let mut stack = Vec::new();
    for (offset, bracket) in structural_brackets(text) {
        if matches!(bracket, '(' | '{') {
            stack.push((offset, bracket));
        } else {
            stack.pop();
        }
    }
    stack.pop()
}

/// Kibana's `Expected … but … found.` form, from the rules pest tried at the position plus
/// the literal tokens Kibana's grammar tries alongside them (pest does not report those).
fn kibana_message(positives: &[Rule], text: &str, pos: usize) -> String {
    let mut expected: Vec<&str> = positives
        .iter()
        .flat_map(|rule| match rule {
            Rule::or_keyword => &["OR"][..],
            Rule::and_keyword => &["AND"],
            Rule::not_keyword => &["NOT"],
            Rule::EOI => &["end of input"],
            Rule::field | Rule::nested_query | Rule::range_expression | Rule::field_value => {
                &["field name"]
            }
            Rule::value | Rule::free_text | Rule::list_of_values => &["value"],
            // Where a range operator is tried, so is the `:` of a field or nested query.
            Rule::range_operator => &["\":\"", "\"<\"", "\"<=\"", "\">\"", "\">=\""],
            Rule::quoted_string | Rule::unquoted_literal => &["literal"],
            Rule::or_query | Rule::and_query | Rule::not_query => &["NOT", "field name", "value"],
            Rule::or_values | Rule::and_values | Rule::not_values => &["NOT", "value"],
            _ => &[],
        })
        .copied()
        .collect();
    let before = &text[..pos];
    let trimmed = before.trim_end_matches(SPACES);
    let open = innermost_unclosed(before);
    let after_value = positives.iter().any(|r| matches!(r, Rule::or_keyword | Rule::and_keyword));
    match open {
        Some((_, '(')) if after_value => expected.push("\")\""),
        Some((_, '{')) if after_value => expected.push("\"}\""),
        _ => {}
    }
    if positives.contains(&Rule::value) && !positives.contains(&Rule::field) {
        // After `:` Kibana also expects a value list or a nested query, and whitespace.
        expected.extend(["\"{\"", "whitespace"]);
    }
    if expected.is_empty() {
        expected = expected_condition(trimmed, open);
    }
    if expected.iter().any(|e| matches!(*e, "field name" | "value")) {
        expected.push("\"(\"");
    }
    expected.sort_unstable();
    expected.dedup();
    let found = match text[pos..].chars().next() {
        Some(c) => format!("\"{c}\""),
        None => "end of input".to_owned(),
    };
    format!("Expected {} but {found} found.", expected.join(", "))
}

/// What Kibana expects where a condition (or a value of a value list) should start.
fn expected_condition(trimmed: &str, open: Option<(usize, char)>) -> Vec<&'static str> {
    let in_value_list = open.is_some_and(|(offset, c)| {
        c == '(' && trimmed[..offset].trim_end_matches(SPACES).ends_with([':', '('])
    });
    let keyword = trailing_keyword(trimmed);
    let mut expected = match keyword {
        Some(k) if k.eq_ignore_ascii_case("not") => vec![],
        _ => vec!["NOT"],
    };
    expected.push(if in_value_list { "value" } else { "field name" });
    if in_value_list {
        expected.retain(|e| *e != "field name");
    } else {
        expected.push("value");
    }
    if keyword.is_none() {
        // After `(`, `{` or at the start an optional `Space*` was tried too.
        expected.push("whitespace");
        if trimmed.is_empty() {
            expected.push("end of input");
        }
    }
    expected
}
