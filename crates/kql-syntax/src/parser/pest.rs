//! The pest parser generated from `grammar/kql.pest`; only the AST builder sees its pairs.

use pest_derive::Parser;

/// Kibana's KQL grammar (`grammar.peggy`) transcribed to pest.
#[derive(Parser)]
#[grammar = "../../grammar/kql.pest"]
pub(crate) struct KqlPest;
