//! KQL (Kibana Query Language) parser: query text to a typed AST with spans.

pub mod ast;
mod sexpr;

pub use sexpr::to_sexpr;
