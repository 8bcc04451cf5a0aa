//! Every way an EQL query can fail to parse, as diagnostics with stable codes and spans.

use miette::Diagnostic;
use rule_span::Span;
use thiserror::Error;

/// One problem found in an EQL query.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub enum EqlError {
    /// The text does not fit the grammar: `process where and`.
    #[error("{message}")]
    #[diagnostic(code(eql::syntax))]
    Syntax {
        /// What was expected, in words.
        message: String,
        /// Short label text at the error position.
        label: String,
        /// Where the parser stopped.
        #[label("{label}")]
        span: Span,
        /// A hint, when the mistake is recognisable.
        #[help]
        help: Option<String>,
    },

    /// A string in single quotes: `process where name == 'cmd.exe'`.
    #[error("strings enclosed in single quotes are not supported")]
    #[diagnostic(code(eql::single_quoted_string), help("use double quotes: \"...\""))]
    SingleQuotedString {
        /// The quoted text.
        #[label("single-quoted string")]
        span: Span,
    },

    /// An Endgame raw string: `process where name == ?"cmd.exe"`.
    #[error("?\" and ?' do not indicate raw strings")]
    #[diagnostic(
        code(eql::question_mark_string),
        help("use triple double quotes for a raw string: \"\"\"...\"\"\"")
    )]
    QuestionMarkString {
        /// The `?` and the string after it.
        #[label("Endgame raw string")]
        span: Span,
    },

    /// A string without its closing quote: `process where name == "cmd.exe`.
    #[error("unterminated string")]
    #[diagnostic(
        code(eql::unterminated_string),
        help("close the string with `\"` on the same line; strings cannot span lines")
    )]
    UnterminatedString {
        /// From the opening quote to the end of the line.
        #[label("this string is never closed")]
        span: Span,
    },

    /// An opening bracket without its closing one: `process where (a == 1`.
    #[error("unclosed `{delimiter}`")]
    #[diagnostic(code(eql::unclosed_delimiter), help("add the matching `{closing}`"))]
    UnclosedDelimiter {
        /// `(` or `[`.
        delimiter: char,
        /// `)` or `]`.
        closing: char,
        /// The opening bracket.
        #[label("this `{delimiter}` is never closed")]
        span: Span,
    },

    /// A block comment without its end: `process where true /* note`.
    #[error("unterminated block comment")]
    #[diagnostic(code(eql::unterminated_comment), help("close the comment with `*/`"))]
    UnterminatedComment {
        /// The opening `/*`.
        #[label("this comment is never closed")]
        span: Span,
    },

    /// An unknown escape sequence: `process where name == "a\qb"`.
    #[error("invalid escape sequence `{sequence}`")]
    #[diagnostic(
        code(eql::invalid_escape),
        help(
            "valid escapes are \\n \\r \\t \\\" \\' \\\\ \\b \\f and \\u{{XX}}; for a literal backslash write \\\\, or use a raw string \"\"\"...\"\"\""
        )
    )]
    InvalidEscape {
        /// The escape as written.
        sequence: String,
        /// The escape sequence.
        #[label("unknown escape")]
        span: Span,
    },

    /// A malformed unicode escape: `process where name == "\u{}"`.
    #[error("invalid unicode escape `{sequence}`: {reason}")]
    #[diagnostic(
        code(eql::invalid_unicode_escape),
        help("write 2 to 8 hex digits naming a unicode scalar value, e.g. \\u{{20AC}}")
    )]
    InvalidUnicodeEscape {
        /// The escape as written.
        sequence: String,
        /// What is wrong with it.
        reason: &'static str,
        /// The escape sequence.
        #[label("invalid unicode escape")]
        span: Span,
    },

    /// A single `=`: `process where name = "cmd.exe"`.
    #[error("`=` is not an EQL operator")]
    #[diagnostic(
        code(eql::single_equals),
        help("use == for case-sensitive equality or : for case-insensitive matching")
    )]
    SingleEquals {
        /// The `=`.
        #[label("use == or :")]
        span: Span,
    },

    /// Comparisons in a row: `process where 1 < pid < 5`.
    #[error("comparisons cannot be chained")]
    #[diagnostic(
        code(eql::chained_comparison),
        help("combine two comparisons with `and`, e.g. `1 < pid and pid < 5`")
    )]
    ChainedComparison {
        /// The second comparison operator.
        #[label("second comparison operator")]
        span: Span,
    },

    /// A sequence with a single term: `sequence [process where true]`.
    #[error("a sequence needs at least two terms")]
    #[diagnostic(
        code(eql::sequence_too_short),
        help(
            "add another [<category> where <condition>] term or `with runs=N`, or use a plain event query"
        )
    )]
    SequenceTooShort {
        /// The sequence.
        #[label("only one term")]
        span: Span,
    },

    /// `by` after `with`: `sequence with maxspan=1m by user.name [..] [..]`.
    #[error("`by` must come before `with maxspan`")]
    #[diagnostic(
        code(eql::sequence_clause_order),
        help("write `sequence by <keys> with maxspan=<time>`")
    )]
    SequenceClauseOrder {
        /// The misplaced `by` clause.
        #[label("move this before `with maxspan`")]
        span: Span,
    },

    /// A header clause given twice: `sequence by a by b [..] [..]`.
    #[error("`{clause}` is given more than once")]
    #[diagnostic(code(eql::duplicate_clause), help("keep a single `{clause}` clause"))]
    DuplicateClause {
        /// `by` or `with maxspan`.
        clause: &'static str,
        /// The repeated clause.
        #[label("repeated clause")]
        span: Span,
    },

    /// A maxspan number without unit: `sequence with maxspan=10 [..] [..]`.
    #[error("maxspan needs a time unit")]
    #[diagnostic(
        code(eql::maxspan_without_unit),
        help("add a unit: ms, s, m, h or d (e.g. `maxspan=10s`)")
    )]
    MaxspanWithoutUnit {
        /// The number.
        #[label("no unit")]
        span: Span,
    },

    /// An unknown maxspan unit: `sequence with maxspan=10y [..] [..]`.
    #[error("unknown time unit `{unit}`")]
    #[diagnostic(code(eql::unknown_time_unit), help("use one of: nanos, micros, ms, s, m, h, d"))]
    UnknownTimeUnit {
        /// The unit as written.
        unit: String,
        /// The unit.
        #[label("unknown unit")]
        span: Span,
    },

    /// A maxspan that is not a whole number: `sequence with maxspan=1.5h [..] [..]`.
    #[error("maxspan must be a whole number")]
    #[diagnostic(code(eql::maxspan_not_integer), help("use a smaller unit, e.g. 90m"))]
    MaxspanNotInteger {
        /// The number.
        #[label("not a whole number")]
        span: Span,
    },

    /// `runs` outside 1..=100: `sequence [process where true] with runs=0 [..]`.
    #[error("runs must be a whole number between 1 and 100")]
    #[diagnostic(code(eql::runs_out_of_range), help("Elasticsearch accepts 1 <= runs <= 100"))]
    RunsOutOfRange {
        /// The number.
        #[label("out of range")]
        span: Span,
    },

    /// A missing-event term without maxspan: `sequence [a where true] ![b where true]`.
    #[error("missing events `![...]` need `with maxspan`")]
    #[diagnostic(
        code(eql::missing_event_without_maxspan),
        help("add `with maxspan=<time>` after `sequence [by ...]`")
    )]
    MissingEventWithoutMaxspan {
        /// The missing-event term.
        #[label("missing-event term")]
        span: Span,
    },

    /// Only missing-event terms: `sequence with maxspan=1m ![a where true] ![b where true]`.
    #[error("a sequence needs at least one term that is not a missing event")]
    #[diagnostic(code(eql::no_positive_term), help("turn one `![...]` into `[...]`"))]
    NoPositiveTerm {
        /// The sequence.
        #[label("every term is `![...]`")]
        span: Span,
    },

    /// Terms with different numbers of join keys: `sequence [a where true] by x [b where true]`.
    #[error("inconsistent number of join keys: expected {expected}, found {found}")]
    #[diagnostic(
        code(eql::join_key_count),
        help("give every term (and `until`) the same number of `by` keys")
    )]
    JoinKeyCount {
        /// Keys on the first term (shared keys included).
        expected: usize,
        /// Keys on this term.
        found: usize,
        /// The term.
        #[label("{found} join keys here")]
        span: Span,
    },

    /// A pipe other than head/tail: `process where true | unique process.name`.
    #[error("unsupported pipe `{name}`")]
    #[diagnostic(
        code(eql::unsupported_pipe),
        help("Elasticsearch EQL supports only `| head N` and `| tail N`; `{name}` is Endgame EQL")
    )]
    UnsupportedPipe {
        /// The pipe name.
        name: String,
        /// The pipe name.
        #[label("not supported")]
        span: Span,
    },

    /// A head/tail pipe without one positive integer: `process where true | head`.
    #[error("`{name}` needs one positive whole number")]
    #[diagnostic(code(eql::pipe_count), help("write e.g. `| {name} 10`"))]
    PipeCount {
        /// `head` or `tail`.
        name: &'static str,
        /// The pipe.
        #[label("expected a positive whole number")]
        span: Span,
    },

    /// Nesting beyond the limit: `process where ((((((...))))))`.
    #[error("query nests deeper than {limit} levels")]
    #[diagnostic(code(eql::too_deep), help("simplify the query"))]
    TooDeep {
        /// The maximum depth.
        limit: usize,
        /// Where the limit was crossed.
        #[label("too deep")]
        span: Span,
    },

    /// A query longer than the size limit.
    #[error("query is {length} bytes long; the limit is {limit}")]
    #[diagnostic(code(eql::too_long))]
    TooLong {
        /// The query length in bytes.
        length: usize,
        /// The maximum length.
        limit: usize,
        /// The text after the limit.
        #[label("over the limit")]
        span: Span,
    },
}

impl EqlError {
    /// The main span of the error (byte offsets into the query).
    pub fn span(&self) -> Span {
        match self {
            EqlError::Syntax { span, .. }
            | EqlError::SingleQuotedString { span }
            | EqlError::QuestionMarkString { span }
            | EqlError::UnterminatedString { span }
            | EqlError::UnterminatedComment { span }
            | EqlError::UnclosedDelimiter { span, .. }
            | EqlError::InvalidEscape { span, .. }
            | EqlError::InvalidUnicodeEscape { span, .. }
            | EqlError::SingleEquals { span }
            | EqlError::ChainedComparison { span }
            | EqlError::SequenceTooShort { span }
            | EqlError::SequenceClauseOrder { span }
            | EqlError::DuplicateClause { span, .. }
            | EqlError::MaxspanWithoutUnit { span }
            | EqlError::UnknownTimeUnit { span, .. }
            | EqlError::MaxspanNotInteger { span }
            | EqlError::RunsOutOfRange { span }
            | EqlError::MissingEventWithoutMaxspan { span }
            | EqlError::NoPositiveTerm { span }
            | EqlError::JoinKeyCount { span, .. }
            | EqlError::UnsupportedPipe { span, .. }
            | EqlError::PipeCount { span, .. }
            | EqlError::TooDeep { span, .. }
            | EqlError::TooLong { span, .. } => *span,
        }
    }
}

/// All the errors found in one query, with the query text for rendering.
#[derive(Clone, Debug, Error, Diagnostic)]
#[error("invalid EQL query ({} error{})", errors.len(), if errors.len() == 1 { "" } else { "s" })]
#[diagnostic(code(eql::invalid_query))]
pub struct ParseErrors {
    /// The query text.
    #[source_code]
    pub query: String,
    /// The errors, in source order (at least one).
    #[related]
    pub errors: Vec<EqlError>,
}
