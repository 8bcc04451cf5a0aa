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

    /// An argument whose type the function does not accept: `process where number(true)`
    /// (ES verifier, `TypeResolutions`).
    #[error(
        "{position} argument of [{call}] must be [{expected}], found value [{argument}] type [{found}]"
    )]
    #[diagnostic(code(compile::argument_type))]
    ArgumentType {
        /// "first", "second", ...
        position: String,
        /// The call as written.
        call: String,
        /// The accepted type.
        expected: String,
        /// The argument as written.
        argument: String,
        /// The argument's type.
        found: String,
        /// The argument.
        #[label("wrong type")]
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

    /// A backslash before an ASCII letter that is no Lucene character class (Lucene's
    /// `RegExp` refuses it): `process where name regex "\\x41"`.
    #[error("invalid character class {escape} in a Lucene regular expression")]
    #[diagnostic(
        code(compile::regex_invalid_class),
        help(
            "Lucene knows only the classes \\d \\D \\s \\S \\w \\W; write \\\\ for a backslash, or drop the backslash before the letter"
        )
    )]
    RegexClass {
        /// The escape, e.g. `\x`.
        escape: String,
        /// The pattern.
        #[label("{escape} is not a character class")]
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

    /// A value the field's type cannot hold: `process.pid : abc` on a `long` field (ES fails
    /// the whole search: "failed to create query").
    #[error(
        "failed to create query: [{value}] is not a valid {expected} for field [{field}] of type [{ty}]"
    )]
    #[diagnostic(code(compile::bad_value_for_type))]
    BadValueForType {
        /// The field.
        field: String,
        /// Its mapped type.
        ty: String,
        /// The value as written.
        value: String,
        /// What the type needs (`number`, `IP address or CIDR block`, `boolean`).
        expected: String,
        /// The value.
        #[label("not a valid {expected}")]
        span: Span,
    },

    /// A date literal the field's format cannot read, or bad date math: `@timestamp < "yesterday"`.
    #[error("failed to parse date for field [{field}]: {message}")]
    #[diagnostic(
        code(compile::bad_date),
        help(
            "write a date in the field's format, epoch milliseconds, or date math such as now-1d/d"
        )
    )]
    BadDate {
        /// The field.
        field: String,
        /// Why.
        message: String,
        /// The literal.
        #[label("not a date")]
        span: Span,
    },

    /// A wildcard on a field that is not a string: `process.pid : 12*` on a `long` field (ES:
    /// "Can only use wildcard queries on keyword and text fields").
    #[error(
        "can only use wildcard queries on keyword and text fields, not on [{field}] of type [{ty}]"
    )]
    #[diagnostic(code(compile::wildcard_on_non_string))]
    WildcardOnNonString {
        /// The field.
        field: String,
        /// Its type.
        ty: String,
        /// The pattern.
        #[label("wildcard pattern")]
        span: Span,
    },

    /// A KQL `p:{ … }` group on a field mapped but not as `nested` (ES: "[nested] nested
    /// object under path [p] is not of nested type").
    #[error("[nested] nested object under path [{path}] is not of nested type")]
    #[diagnostic(
        code(compile::not_nested),
        help(
            "write the conditions with full field names (`{path}.child: value`) instead of `{path}:{{ … }}`"
        )
    )]
    NotNested {
        /// The path.
        path: String,
        /// The group.
        #[label("`{path}` is mapped as a non-nested field")]
        span: Span,
    },

    /// An EQL operator or function applied to a field of the wrong type:
    /// `process where pid : 1` on a `long` field.
    #[error("1st argument of [{what}] must be [{expected}], found value [{field}] type [{ty}]")]
    #[diagnostic(code(compile::field_type))]
    FieldType {
        /// The operator or function.
        what: String,
        /// The type it needs.
        expected: String,
        /// The field.
        field: String,
        /// Its mapped type.
        ty: String,
        /// A fix, when there is one.
        #[help]
        help: Option<String>,
        /// The field.
        #[label("a {ty} field")]
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

/// A problem that does not stop compilation: the program runs, but may differ from what
/// Elasticsearch would do.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub enum CompileWarning {
    /// A field no schema knows (ES EQL: "Unknown column"; KQL: matched with keyword semantics).
    #[error("unknown field [{name}]: no schema maps it, so it is matched as a keyword")]
    #[diagnostic(
        code(compile::unknown_field),
        severity(Warning),
        help("pass its mapping with --schema, or check the spelling")
    )]
    UnknownField {
        /// The field.
        name: String,
        /// Where it is used.
        #[label("not in the schema")]
        span: Span,
    },

    /// A KQL `p:{ … }` group on a path no schema maps: evaluated as flattened object fields
    /// (conditions may hold on different array elements), while ES needs a `nested` mapping.
    #[error(
        "[{path}] is not mapped: `{path}:{{ … }}` is matched on flattened fields, not per nested object"
    )]
    #[diagnostic(
        code(compile::nested_unmapped),
        severity(Warning),
        help("map `{path}` as `nested` (--schema) for same-object matching")
    )]
    NestedUnmapped {
        /// The path.
        path: String,
        /// The group.
        #[label("no mapping for this path")]
        span: Span,
    },

    /// A query or a sequence or sample term whose condition folds to `false`, so it never
    /// matches: `process where process.pid == 4 and 1 == 2`.
    #[error("{term} never matches: its condition is always false")]
    #[diagnostic(
        code(compile::never_matches),
        severity(Warning),
        help(
            "Elasticsearch folds constant parts before the query runs; this one leaves nothing to match"
        )
    )]
    NeverMatches {
        /// `the query`, `sequence term 2`, ...
        term: String,
        /// The value of the labelled part.
        part: bool,
        /// The part that folds.
        #[label("always {part}")]
        span: Span,
    },

    /// A query or a sequence or sample term whose condition folds to `true`, so every event
    /// of its category matches: `process where true or process.pid == 4`.
    #[error("{term} matches every {events}: its condition is always true")]
    #[diagnostic(code(compile::always_matches), severity(Warning))]
    AlwaysMatches {
        /// `the query`, `sequence term 2`, ...
        term: String,
        /// `process event`, or `event` for `any`.
        events: String,
        /// The value of the labelled part.
        part: bool,
        /// The part that folds.
        #[label("always {part}")]
        span: Span,
    },

    /// A wildcard field name that matches no schema field: matched over the event's own
    /// field names instead.
    #[error(
        "field pattern [{pattern}] matches no known field; matching it against the event's fields"
    )]
    #[diagnostic(code(compile::field_pattern_unmatched), severity(Warning))]
    FieldPatternUnmatched {
        /// The pattern.
        pattern: String,
        /// The field name.
        #[label("no schema field matches")]
        span: Span,
    },
}
