//! EQL (Elasticsearch dialect) parser: query text to a typed AST with spans.

pub mod ast;
