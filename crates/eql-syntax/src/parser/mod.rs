//! From query text to [`crate::ast::Query`]: limits pre-scan, pest parse, AST build, and
//! (on request) the comments between the tokens.

mod build;
mod build_expr;
mod expected;
mod pest;
pub(crate) mod prescan;
pub(crate) mod strings;

use ::pest::Parser as _;
use ::pest::Token;
use ::pest::iterators::Pair;

use self::pest::{EqlPest, Rule};
use crate::ast::Query;
use crate::comment::{Comment, comments_in_gap};
use crate::error::{EqlError, ParseErrors};

/// Parses one EQL statement; see [`crate::parse`].
pub(crate) fn parse(text: &str) -> Result<Query, ParseErrors> {
    parse_with_comments(text, None)
}

/// Parses one EQL statement; with `comments`, also collects its comments there, in source
/// order.
pub(crate) fn parse_with_comments(
    text: &str,
    comments: Option<&mut Vec<Comment>>,
) -> Result<Query, ParseErrors> {
    parse_inner(text, comments).map_err(|mut errors| {
        errors.sort_by_key(|e| (e.span().start, e.span().end));
        ParseErrors { query: text.to_owned(), errors }
    })
}

fn parse_inner(text: &str, comments: Option<&mut Vec<Comment>>) -> Result<Query, Vec<EqlError>> {
    let errors = prescan::prescan(text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut pairs =
        EqlPest::parse(Rule::query, text).map_err(|e| vec![expected::syntax_error(text, &e)])?;
    let query_pair = pairs.next().expect("pest: a successful parse yields the query pair");
    if let Some(comments) = comments {
        collect_comments(text, &query_pair, comments);
    }
    let mut builder = build::Builder::default();
    let query = builder.query(query_pair);
    if builder.errors.is_empty() { Ok(query) } else { Err(builder.errors) }
}

/// Collects the comments of `text`, parsed as `query`: they lie in the gaps between the
/// grammar's tokens (pairs without inner pairs), which hold only whitespace and comments, so
/// a `//` inside a string, raw string or backtick name is never mistaken for one.
fn collect_comments(text: &str, query: &Pair<'_, Rule>, comments: &mut Vec<Comment>) {
    let (mut previous, mut after_start) = (0, false);
    for token in query.clone().tokens() {
        let (pos, is_start) = match token {
            Token::Start { pos, .. } => (pos.pos(), true),
            Token::End { pos, .. } => (pos.pos(), false),
        };
        // A start right before an end is a token; anything else is a gap.
        if is_start || !after_start {
            comments_in_gap(text, previous..pos, comments);
        }
        (previous, after_start) = (pos, is_start);
    }
    comments_in_gap(text, previous..text.len(), comments);
}
