//! The pest parser generated from `grammar/common.pest` and `grammar/eql.pest`.
//!
//! Private: only the AST builder and the error translator see [`Rule`] and pest pairs.

#![allow(missing_docs, unreachable_pub, clippy::pedantic)]

/// Parser derived from the EQL grammar files.
#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/common.pest"]
#[grammar = "../../grammar/eql.pest"]
pub(crate) struct EqlPest;
