//! Turns a pest failure into an [`EqlError::Syntax`] written in words: the grammar rules
//! pest expected are mapped to phrases ("an expression", "`where`"), never rule names.

use pest::error::{Error, ErrorVariant, InputLocation};
use rule_span::Span;

use super::pest::Rule;
use crate::error::EqlError;
use crate::parser::prescan::MAX_DEPTH;
use crate::print::KEYWORDS;

/// Translates a pest error on `text`.
pub(crate) fn syntax_error(text: &str, error: &Error<Rule>) -> EqlError {
    let position = match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    };
    let position = text.floor_char_boundary(position);
    // pest's own guard (pest >= 2.8) stops before the native stack runs out; the pre-scan's
    // depth limit normally comes first, but a small thread stack can still get here.
    if let ErrorVariant::CustomError { message } = &error.variant
        && message.contains("limit reached")
    {
        return EqlError::TooDeep { limit: MAX_DEPTH, span: Span::from_range(position..position) };
    }
    let phrases = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => phrases(positives),
        ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    let found = found_token(text, position);
    let (span, label) = if found.is_empty() {
        // At the end: point just after the last token, which is on a line miette shows.
        let end = text.trim_end().len();
        (Span::from_range(end..end), "the query ends here".to_owned())
    } else {
        (Span::from_range(position..position + found.len()), format!("unexpected `{found}`"))
    };
    let expected =
        if phrases.is_empty() { "something else".to_owned() } else { join_alternatives(&phrases) };
    let after =
        previous_token(text, position).map(|token| format!(" after {token}")).unwrap_or_default();
    let message = format!("expected {expected}{after}");
    EqlError::Syntax { message, label, span, help: keyword_case_help(found) }
}

/// Help for `WHERE`, `And`, ...: keywords are lowercase and case-sensitive in ES.
fn keyword_case_help(found: &str) -> Option<String> {
    let lower = found.to_ascii_lowercase();
    (lower != found && KEYWORDS.contains(&lower.as_str()))
        .then(|| format!("EQL keywords are lowercase: write `{lower}`"))
}

/// Phrases for the expected rules, de-duplicated, in a stable order.
fn phrases(rules: &[Rule]) -> Vec<String> {
    let mut out: Vec<&'static str> = rules.iter().filter_map(|rule| phrase(*rule)).collect();
    if out.contains(&"an expression") {
        out.retain(|p| *p != "a value");
    }
    // After a complete operand every operator is possible; name them as one group.
    if out.iter().filter(|p| OPERATORS.contains(p)).count() >= 3 {
        out.retain(|p| !OPERATORS.contains(p));
        out.push("an operator");
    }
    out.sort_by_key(|p| rank(p));
    out.dedup();
    out.into_iter().map(str::to_owned).collect()
}

/// Phrases that continue an expression after an operand.
const OPERATORS: [&str; 9] = [
    "a comparison operator",
    "an arithmetic operator",
    "`and`",
    "`or`",
    "`in`",
    "`not`",
    "`:`, `like` or `regex`",
    "`like`",
    "`regex`",
];

/// Orders phrases: values and names first, then keywords, then punctuation.
fn rank(phrase: &str) -> (u8, &str) {
    let group = if phrase.starts_with("a ") || phrase.starts_with("an ") {
        0
    } else if phrase.starts_with('`') && phrase[1..].starts_with(|c: char| c.is_ascii_alphabetic())
    {
        1
    } else if phrase == "the end of the query" {
        3
    } else {
        2
    };
    (group, phrase)
}

/// The words for one rule; `None` for rules that never show up alone in a useful way.
fn phrase(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expression
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::additive
        | Rule::multiplicative
        | Rule::unary
        | Rule::unary_op
        | Rule::predicated
        | Rule::paren
        | Rule::call
        | Rule::function_name
        | Rule::field
        | Rule::bare_segment
        | Rule::optional_mark => "an expression",
        Rule::quoted_segment => "a field name",
        Rule::constant
        | Rule::number
        | Rule::decimal
        | Rule::integer
        | Rule::string
        | Rule::raw_string
        | Rule::quoted_string
        | Rule::kw_null
        | Rule::kw_true
        | Rule::kw_false => "a value",
        Rule::event_query | Rule::category | Rule::category_name | Rule::kw_any => {
            "an event category"
        }
        Rule::sequence | Rule::kw_sequence => "`sequence`",
        Rule::sample | Rule::kw_sample => "`sample`",
        Rule::time_span => "a time span such as 5m",
        Rule::time_unit => "a time unit",
        Rule::pipe_name => "a pipe name",
        Rule::compare_op | Rule::single_equals => "a comparison operator",
        Rule::add_op | Rule::mul_op => "an arithmetic operator",
        Rule::in_predicate | Rule::kw_in | Rule::kw_in_ci => "`in`",
        Rule::match_predicate | Rule::match_op => "`:`, `like` or `regex`",
        Rule::kw_like | Rule::kw_like_ci => "`like`",
        Rule::kw_regex | Rule::kw_regex_ci => "`regex`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_where => "`where`",
        Rule::kw_by | Rule::join_keys => "`by`",
        Rule::kw_with | Rule::maxspan_clause | Rule::runs_clause => "`with`",
        Rule::kw_maxspan => "`maxspan`",
        Rule::kw_runs => "`runs`",
        Rule::kw_until | Rule::until_clause => "`until`",
        Rule::open_paren => "`(`",
        Rule::close_paren => "`)`",
        Rule::open_bracket | Rule::sequence_term | Rule::sample_term => "`[`",
        Rule::open_missing => "`![`",
        Rule::close_bracket => "`]`",
        Rule::comma => "`,`",
        Rule::assign => "`=`",
        Rule::pipe | Rule::pipe_bar => "`|`",
        Rule::EOI => "the end of the query",
        _ => return None,
    })
}

/// "a, b or c".
fn join_alternatives(phrases: &[String]) -> String {
    match phrases {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The token starting at `position`: a word, a string start, or one character.
fn found_token(text: &str, position: usize) -> &str {
    let rest = &text[position..];
    let Some(first) = rest.chars().next() else { return "" };
    let end = if is_word_char(first) {
        rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    &rest[..end]
}

/// The token just before `position`, skipping whitespace, in backticks (`None` if long).
fn previous_token(text: &str, position: usize) -> Option<String> {
    let before = text[..position].trim_end();
    let last = before.chars().next_back()?;
    let token = if is_word_char(last) || last == '~' {
        let body = before.trim_end_matches('~');
        let start = body.rfind(|c: char| !is_word_char(c)).map_or(0, |i| i + 1);
        &before[start..]
    } else if last == '"' {
        return Some("a string".to_owned());
    } else {
        let two = before.len().checked_sub(2).and_then(|i| before.get(i..));
        match two {
            Some(op @ ("==" | "!=" | "<=" | ">=")) => op,
            _ => &before[before.len() - last.len_utf8()..],
        }
    };
    Some(format!("`{token}`")).filter(|_| !token.is_empty() && token.chars().count() <= 40)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@'
}
