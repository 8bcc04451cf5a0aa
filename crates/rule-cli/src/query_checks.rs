//! The diagnostics of one compiled query: the compiler's errors and warnings, joined with the
//! checks warden adds from the schema (unknown ECS event categories, type mismatches).

use eql_syntax::ast as eql;
use field_schema::Schema;
use kql_syntax::ast as kql;
use miette::{Diagnostic, Severity};
use rule_compiler::{CompileError, CompileErrors, CompileWarning, CompiledEql, CompiledKql};
use rule_vm::Program;
use thiserror::Error;

use crate::event_category::{UnknownEventCategory, unknown_categories};
use crate::type_check::{TypeMismatch, eql_mismatches, kql_mismatches};

/// One thing a query compiled with, but that Elasticsearch may treat differently or that
/// cannot match the data its rule searches.
#[derive(Clone, Debug, Error, Diagnostic)]
pub(crate) enum QueryWarning {
    /// From the compiler (unknown fields, unmapped nested paths, unmatched field patterns).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(CompileWarning),
    /// An EQL event category ECS does not know.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Category(UnknownEventCategory),
    /// A comparison Elasticsearch accepts between a field and a value of another type.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Type(TypeMismatch),
}

/// Every warning about one query, reported as one diagnostic with each warning related.
#[derive(Clone, Debug, Default, Error, Diagnostic)]
#[error("{} warning(s) compiling the query", warnings.len())]
#[diagnostic(code(compile::warnings), severity(Warning))]
pub(crate) struct QueryWarnings {
    /// The compiler's warnings first, then warden's.
    #[related]
    pub(crate) warnings: Vec<QueryWarning>,
}

impl QueryWarnings {
    /// Whether there is nothing to report.
    pub(crate) fn is_empty(&self) -> bool {
        self.warnings.is_empty()
    }
}

/// One reason a query cannot run as Elasticsearch would run it.
#[derive(Clone, Debug, Error, Diagnostic)]
pub(crate) enum QueryError {
    /// From the compiler.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(CompileError),
    /// A type mismatch Elasticsearch rejects.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Type(TypeMismatch),
}

/// All the errors found in one query (same code and message as the compiler's
/// [`CompileErrors`], which it extends).
#[derive(Clone, Debug, Error, Diagnostic)]
#[error("{} error(s) compiling the query", errors.len())]
#[diagnostic(code(compile::failed))]
pub(crate) struct QueryErrors {
    /// The compiler's errors first, then warden's.
    #[related]
    pub(crate) errors: Vec<QueryError>,
}

/// The compiled EQL statement with all its warnings, or all its errors.
pub(crate) fn check_eql(
    query: &eql::Query,
    category_field: &str,
    schema: &Schema,
    compiled: Result<CompiledEql, CompileErrors>,
) -> Result<(CompiledEql, QueryWarnings), QueryErrors> {
    let compiled = compiled.map(|mut eql| {
        let warnings = std::mem::take(&mut eql.warnings);
        (eql, warnings)
    });
    let (eql, mut warnings) = join(compiled, eql_mismatches(query, schema))?;
    let categories = unknown_categories(query, category_field);
    warnings.warnings.extend(categories.into_iter().map(QueryWarning::Category));
    Ok((eql, warnings))
}

/// The compiled KQL program with all its warnings, or all its errors.
pub(crate) fn check_kql(
    query: &kql::Query,
    schema: &Schema,
    compiled: Result<CompiledKql, CompileErrors>,
) -> Result<(Program, QueryWarnings), QueryErrors> {
    join(compiled.map(|kql| (kql.program, kql.warnings)), kql_mismatches(query, schema))
}

/// Joins the compiler's outcome with warden's type checks: errors of either fail the query.
fn join<T>(
    compiled: Result<(T, Vec<CompileWarning>), CompileErrors>,
    mismatches: Vec<TypeMismatch>,
) -> Result<(T, QueryWarnings), QueryErrors> {
    let (type_errors, type_warnings): (Vec<_>, Vec<_>) = mismatches
        .into_iter()
        .partition(|mismatch| mismatch.severity().unwrap_or(Severity::Error) == Severity::Error);
    let type_errors: Vec<QueryError> = type_errors.into_iter().map(QueryError::Type).collect();
    match compiled {
        Ok((output, compile_warnings)) if type_errors.is_empty() => {
            let mut warnings: Vec<QueryWarning> =
                compile_warnings.into_iter().map(QueryWarning::Compile).collect();
            warnings.extend(type_warnings.into_iter().map(QueryWarning::Type));
            Ok((output, QueryWarnings { warnings }))
        }
        Ok(_) => Err(QueryErrors { errors: type_errors }),
        Err(failed) => {
            let mut errors: Vec<QueryError> =
                failed.errors.into_iter().map(QueryError::Compile).collect();
            errors.extend(type_errors);
            Err(QueryErrors { errors })
        }
    }
}
