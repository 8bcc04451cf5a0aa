//! KQL (Kibana Query Language) parser: query text to a typed AST with spans.
//!
//! The grammar is Kibana's `grammar.peggy`, transcribed to `grammar/kql.pest`; it accepts
//! and rejects exactly what Kibana does (with `allowLeadingWildcards`, as the detection
//! engine runs). The AST keeps value lists as written; [`to_sexpr`] prints Kibana's own tree,
//! and `Display` prints KQL that parses back to the same AST.
//!
//! ```
//! use kql_syntax::{parse, to_sexpr};
//!
//! let query = parse(r#"event.code: "4702" and not user.name : *$"#)?;
//! assert_eq!(
//!     to_sexpr(&query.root),
//!     r#"(and (is "event.code" q"4702") (not (is "user.name" W"*$")))"#
//! );
//! assert!(parse("message: cannot find").is_err()); // `not ` ends a value, even mid-word
//! # Ok::<(), kql_syntax::ParseErrors>(())
//! ```

pub mod ast;
mod error;
mod parser;
mod print;
mod sexpr;

pub use error::{KqlError, ParseErrors};
pub use parser::{MAX_DEPTH, parse};
pub use sexpr::to_sexpr;
