//! EQL (Elasticsearch dialect) parser: query text to a typed AST with spans.
//!
//! ```
//! use eql_syntax::ast::{QueryBody, CategoryKind};
//! let query = eql_syntax::parse(r#"process where process.name : "cmd.exe""#).unwrap();
//! let QueryBody::Event(event) = &query.body else { panic!() };
//! assert_eq!(event.category.kind, CategoryKind::Named("process".into()));
//! assert_eq!(query.to_string(), r#"process where process.name : "cmd.exe""#);
//! ```
//!
//! Errors come back all together as [`ParseErrors`], a [`miette::Diagnostic`] whose related
//! diagnostics are the individual [`EqlError`]s with byte spans into the query.

pub mod ast;
mod comment;
mod error;
mod parser;
mod print;
mod spanless;

pub use comment::Comment;
pub use error::{EqlError, ParseErrors};
pub use parser::prescan::{MAX_DEPTH, MAX_QUERY_BYTES};

/// Parses one EQL statement (Elasticsearch dialect) into its AST.
///
/// Never panics; every problem found is returned, in source order.
pub fn parse(text: &str) -> Result<ast::Query, ParseErrors> {
    parser::parse(text)
}

/// Parses like [`parse`], and also returns the query's `//` and `/* */` comments, in source
/// order (the tree has no place for them).
///
/// ```
/// let (query, comments) =
///     eql_syntax::parse_with_comments("process where a : \"//x\" // why\n").unwrap();
/// assert_eq!(query.to_string(), "process where a : \"//x\"");
/// assert_eq!(comments[0].text, "// why");
/// ```
pub fn parse_with_comments(text: &str) -> Result<(ast::Query, Vec<Comment>), ParseErrors> {
    let mut comments = Vec::new();
    let query = parser::parse_with_comments(text, Some(&mut comments))?;
    Ok((query, comments))
}
