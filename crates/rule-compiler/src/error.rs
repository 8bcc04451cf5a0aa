//! Every way a parsed query can fail to compile, as diagnostics with stable codes and spans.

use miette::Diagnostic;
use rule_span::Span;
use thiserror::Error;

/// One problem found while lowering a query.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub enum CompileError {
    /// A function Elasticsearch does not know: `process where arrayContains(a, "x")`.
    #[error("unknown function [{name}]")]
    #[diagnostic(
        code(compile::unknown_function),
        help(
            "Elasticsearch EQL functions: add, between, cidrMatch, concat, divide, endsWith, indexOf, \
             length, modulo, multiply, number, startsWith, string, stringContains, substring, subtract"
        )
    )]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// The function name.
        #[label("not an EQL function")]
        span: Span,
    },

    /// A call with too few or too many arguments: `process where length(a, b)`.
    #[error("function [{name}] takes {expected} argument(s), got {got}")]
    #[diagnostic(code(compile::wrong_arity))]
    WrongArity {
        /// The function.
        name: String,
        /// The accepted counts, in words.
        expected: String,
        /// The count given.
        got: usize,
        /// The call.
        #[label("wrong number of arguments")]
        span: Span,
    },

    /// A `~` on a function without a case-insensitive variant: `process where length~(a) > 1`.
    #[error("function [{name}] has no case-insensitive variant")]
    #[diagnostic(code(compile::no_insensitive_variant), help("remove the `~`"))]
    NoInsensitiveVariant {
        /// The function.
        name: String,
        /// The function name.
        #[label("`~` not allowed here")]
        span: Span,
    },

    /// A field compared with another field: `process where process.name == process.parent.name`
    /// (ES: "Comparisons against fields are not (currently) supported").
    #[error("comparisons against fields are not (currently) supported")]
    #[diagnostic(
        code(compile::field_comparison),
        help("compare the field with a constant; Elasticsearch EQL cannot compare two fields")
    )]
    FieldComparison {
        /// The comparison.
        #[label("both sides read event fields")]
        span: Span,
    },

    /// `:` with a value that is not a string: `process where pid : 4`.
    #[error("`:` compares strings only")]
    #[diagnostic(code(compile::colon_non_string), help("consider using `==` instead"))]
    ColonNonString {
        /// The value.
        #[label("not a string")]
        span: Span,
    },

    /// A `like`/`regex` pattern or `in` element that is not a constant of the right type:
    /// `process where name like 5`.
    #[error("{operator} needs {expected}")]
    #[diagnostic(code(compile::bad_operand))]
    BadOperand {
        /// The operator.
        operator: String,
        /// What it needs.
        expected: String,
        /// The operand.
        #[label("here")]
        span: Span,
    },

    /// A regular expression that cannot be compiled: `process where name regex "a("`.
    #[error("invalid regular expression: {message}")]
    #[diagnostic(code(compile::bad_regex))]
    BadRegex {
        /// Why.
        message: String,
        /// The pattern.
        #[label("this pattern")]
        span: Span,
    },

    /// A CIDR block that does not parse: `process where cidrMatch(ip, "10.0.0.0/99")`.
    #[error("invalid CIDR block [{text}]")]
    #[diagnostic(
        code(compile::bad_cidr),
        help("write an address and a prefix length, e.g. 10.0.0.0/8")
    )]
    BadCidr {
        /// The text.
        text: String,
        /// The literal.
        #[label("not a CIDR block")]
        span: Span,
    },

    /// An expression used as a condition that cannot be one: `process where "text"`.
    #[error("this expression is not a condition")]
    #[diagnostic(
        code(compile::not_a_condition),
        help("compare it with something, e.g. `== \"value\"`")
    )]
    NotACondition {
        /// The expression.
        #[label("not a boolean condition")]
        span: Span,
    },

    /// A construct the compiler does not lower yet (documented limitation).
    #[error("unsupported: {what}")]
    #[diagnostic(code(compile::unsupported))]
    Unsupported {
        /// What is not supported.
        what: String,
        /// Where.
        #[label("not supported")]
        span: Span,
    },

    /// A join key that is not a field: `sequence by length(a) [..] [..]`.
    #[error("join keys must be fields")]
    #[diagnostic(code(compile::bad_join_key))]
    BadJoinKey {
        /// The key.
        #[label("not a field")]
        span: Span,
    },

    /// A program the VM refused (a compiler bug, reported rather than panicking).
    #[error("internal error: {message}")]
    #[diagnostic(code(compile::internal))]
    Internal {
        /// The VM's message.
        message: String,
        /// The whole query.
        #[label("while compiling this")]
        span: Span,
    },
}

/// All the errors found in one query.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
#[error("{} error(s) compiling the query", errors.len())]
#[diagnostic(code(compile::failed))]
pub struct CompileErrors {
    /// The individual errors, in source order.
    #[related]
    pub errors: Vec<CompileError>,
}
