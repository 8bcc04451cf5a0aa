//! From query text to [`crate::ast::Query`]: limits pre-scan, pest parse, AST build.

mod build;
mod build_expr;
mod expected;
mod pest;
pub(crate) mod prescan;
pub(crate) mod strings;

use ::pest::Parser as _;

use self::pest::{EqlPest, Rule};
use crate::ast::Query;
use crate::error::{EqlError, ParseErrors};

/// Parses one EQL statement; see [`crate::parse`].
pub(crate) fn parse(text: &str) -> Result<Query, ParseErrors> {
    parse_inner(text).map_err(|mut errors| {
        errors.sort_by_key(|e| (e.span().start, e.span().end));
        ParseErrors { query: text.to_owned(), errors }
    })
}

fn parse_inner(text: &str) -> Result<Query, Vec<EqlError>> {
    let errors = prescan::prescan(text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut pairs =
        EqlPest::parse(Rule::query, text).map_err(|e| vec![expected::syntax_error(text, &e)])?;
    let query_pair = pairs.next().expect("pest: a successful parse yields the query pair");
    let mut builder = build::Builder::default();
    let query = builder.query(query_pair);
    if builder.errors.is_empty() { Ok(query) } else { Err(builder.errors) }
}
