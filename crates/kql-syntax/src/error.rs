//! The errors a KQL query can have, each with a stable `kql::…` code, a labelled span and,
//! where the fix is obvious, a help text.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// One syntax error in a KQL query.
///
/// Each variant's doc gives a query that triggers it. Kibana rejects exactly the same
/// queries; [`ParseErrors::kibana_message`] gives the message in Kibana's own form.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum KqlError {
    /// `a:` or `a: )`: nothing after the colon.
    #[error("expected a value after ':'")]
    #[diagnostic(
        code(kql::expected_value),
        help("write a value, e.g. `field:value`, `field:\"a b\"` or `field:*`")
    )]
    ExpectedValue {
        /// The colon.
        #[label("a value should follow this")]
        span: SourceSpan,
    },

    /// `a > ` : nothing after a range operator.
    #[error("expected a value after the range operator")]
    #[diagnostic(code(kql::expected_range_value))]
    ExpectedRangeValue {
        /// The operator.
        #[label("a value should follow this")]
        span: SourceSpan,
    },

    /// `a:b or ` or `a:(b and not )`: a keyword with nothing after it.
    #[error("expected a query after `{keyword}`")]
    #[diagnostic(
        code(kql::dangling_keyword),
        help("remove the trailing `{keyword}` or add a condition after it")
    )]
    DanglingKeyword {
        /// The keyword as written.
        keyword: String,
        /// Where the condition should be.
        #[label("nothing follows `{keyword}`")]
        span: SourceSpan,
    },

    /// `not(a:b)`: `not` glued to what it negates.
    #[error("`not` must be followed by whitespace")]
    #[diagnostic(code(kql::not_needs_whitespace), help("write `not (…)` with a space"))]
    NotNeedsWhitespace {
        /// The `(` right after `not`.
        #[label("add a space before this")]
        span: SourceSpan,
    },

    /// `a:b and(c:d)`: `and`/`or` glued to a parenthesis.
    #[error("`{keyword}` must be surrounded by whitespace")]
    #[diagnostic(code(kql::keyword_needs_whitespace), help("write `{keyword} (…)` with a space"))]
    KeywordNeedsWhitespace {
        /// The keyword as written.
        keyword: String,
        /// The `(` right after the keyword.
        #[label("add a space before this")]
        span: SourceSpan,
    },

    /// `foo: not bar`: `not` cannot follow a colon directly.
    #[error("`not` cannot follow ':' directly")]
    #[diagnostic(code(kql::not_after_colon), help("write `{field}:(not …)`, or `not {field}:…`"))]
    NotAfterColon {
        /// The field name before the colon.
        field: String,
        /// The `not`.
        #[label("`not` here")]
        span: SourceSpan,
    },

    /// `not not a:b`: two `not`s on one level.
    #[error("only one `not` is allowed in a row")]
    #[diagnostic(code(kql::double_not), help("parenthesise the inner condition: `not (not …)`"))]
    DoubleNot {
        /// The second `not`.
        #[label("second `not`")]
        span: SourceSpan,
    },

    /// `message: cannot find`: `not` followed by whitespace ends an unquoted value, even
    /// inside a word.
    #[error("`not` followed by whitespace ends an unquoted value, even inside a word")]
    #[diagnostic(code(kql::not_inside_value), help("quote the value, e.g. `\"{word} …\"`"))]
    NotInsideValue {
        /// The word holding `not`.
        word: String,
        /// The `not`.
        #[label("read as the keyword `not`")]
        span: SourceSpan,
    },

    /// `a:b c:d` or `a:"b" c`: two conditions side by side.
    #[error("KQL has no implicit AND: join the two conditions with `and` or `or`")]
    #[diagnostic(
        code(kql::implicit_and),
        help("write `… and …` or `… or …`; to search for a phrase, quote it")
    )]
    ImplicitAnd {
        /// Where the second condition starts.
        #[label("a second condition starts here")]
        span: SourceSpan,
    },

    /// `a:b:c` or `foo:b{ar`: a special character inside an unquoted value.
    #[error("unexpected `{found}`")]
    #[diagnostic(code(kql::special_character), help("escape it as `\\{found}` or quote the value"))]
    SpecialCharacter {
        /// The character.
        found: char,
        /// Where it is.
        #[label("`{found}` is special in KQL")]
        span: SourceSpan,
    },

    /// `a:b\qc`: a backslash that starts no escape in unquoted text.
    #[error("invalid escape in an unquoted value")]
    #[diagnostic(
        code(kql::invalid_escape),
        help(
            "escape only `\\ ( ) : < > \" * {{ }}`, keywords (`\\or`), `\\t \\r \\n`, `\\uXXXX`; or quote the value"
        )
    )]
    InvalidEscape {
        /// The backslash.
        #[label("this backslash escapes nothing")]
        span: SourceSpan,
    },

    /// `bytes:>1000`: a range operator after a colon.
    #[error("a range is written without ':'")]
    #[diagnostic(code(kql::range_after_colon), help("write `{field} {operator} …`"))]
    RangeAfterColon {
        /// The field name.
        field: String,
        /// The operator.
        operator: String,
        /// The operator.
        #[label("range operator after ':'")]
        span: SourceSpan,
    },

    /// `a:b > c` or `a < b < c`: a range operator where none is allowed.
    #[error("unexpected range operator `{operator}`")]
    #[diagnostic(
        code(kql::misplaced_range),
        help("a range is `field < value`: one field, one operator, one value")
    )]
    MisplacedRange {
        /// The operator.
        operator: String,
        /// The operator.
        #[label("not allowed here")]
        span: SourceSpan,
    },

    /// `a:"unterminated`: no closing quote.
    #[error("unterminated quoted string")]
    #[diagnostic(
        code(kql::unterminated_string),
        help("add the closing `\"` (write `\\\"` for a quote inside)")
    )]
    UnterminatedString {
        /// The opening quote to the end of the query.
        #[label("this string is never closed")]
        span: SourceSpan,
    },

    /// `(a:b or c:d`: no closing parenthesis.
    #[error("unclosed parenthesis")]
    #[diagnostic(code(kql::unclosed_paren), help("add the matching `)`"))]
    UnclosedParen {
        /// The opening parenthesis.
        #[label("opened here")]
        span: SourceSpan,
    },

    /// `x:{ y:z`: no closing brace.
    #[error("unclosed nested query")]
    #[diagnostic(code(kql::unclosed_brace), help("add the matching `}}`"))]
    UnclosedBrace {
        /// The opening brace.
        #[label("opened here")]
        span: SourceSpan,
    },

    /// `()`, `a:()` or `x:{}`: an empty group.
    #[error("empty {group}")]
    #[diagnostic(code(kql::empty_group), help("put a condition inside, or remove the {group}"))]
    EmptyGroup {
        /// "parentheses" or "nested query".
        group: &'static str,
        /// The group.
        #[label("nothing inside")]
        span: SourceSpan,
    },

    /// `:b` or `< 1000`: no field name before the colon or operator.
    #[error("expected a field name before `{found}`")]
    #[diagnostic(code(kql::expected_field))]
    ExpectedField {
        /// The colon or operator.
        found: String,
        /// Where it is.
        #[label("no field name before this")]
        span: SourceSpan,
    },

    /// `a:b)`: a closing bracket without its opening one.
    #[error("unmatched `{found}`")]
    #[diagnostic(
        code(kql::unmatched_close),
        help("remove it, or escape it as `\\{found}` inside a value")
    )]
    UnmatchedClose {
        /// The bracket.
        found: char,
        /// Where it is.
        #[label("nothing to close")]
        span: SourceSpan,
    },

    /// Parentheses or braces nested deeper than the parser allows.
    #[error("the query nests deeper than {limit} levels")]
    #[diagnostic(code(kql::too_deep), help("simplify the query"))]
    TooDeep {
        /// The nesting limit.
        limit: usize,
        /// The bracket past the limit.
        #[label("too deep here")]
        span: SourceSpan,
    },

    /// A query longer than 4 GiB (spans are 32-bit).
    #[error("the query is too long ({len} bytes)")]
    #[diagnostic(code(kql::too_long))]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },

    /// Any other syntax error, in Kibana's words.
    #[error("{message}")]
    #[diagnostic(code(kql::syntax))]
    Syntax {
        /// Kibana's message, e.g. `Expected AND, OR, end of input but "(" found.`
        message: String,
        /// Where the parser stopped.
        #[label("unexpected here")]
        span: SourceSpan,
    },
}

impl KqlError {
    /// The labelled span, if the error has one.
    pub fn span(&self) -> Option<SourceSpan> {
        match self {
            KqlError::ExpectedValue { span }
            | KqlError::ExpectedRangeValue { span }
            | KqlError::DanglingKeyword { span, .. }
            | KqlError::NotNeedsWhitespace { span }
            | KqlError::KeywordNeedsWhitespace { span, .. }
            | KqlError::NotAfterColon { span, .. }
            | KqlError::DoubleNot { span }
            | KqlError::NotInsideValue { span, .. }
            | KqlError::ImplicitAnd { span }
            | KqlError::SpecialCharacter { span, .. }
            | KqlError::InvalidEscape { span }
            | KqlError::RangeAfterColon { span, .. }
            | KqlError::MisplacedRange { span, .. }
            | KqlError::UnterminatedString { span }
            | KqlError::UnclosedParen { span }
            | KqlError::UnclosedBrace { span }
            | KqlError::EmptyGroup { span, .. }
            | KqlError::ExpectedField { span, .. }
            | KqlError::UnmatchedClose { span, .. }
            | KqlError::TooDeep { span, .. }
            | KqlError::Syntax { span, .. } => Some(*span),
            KqlError::TooLong { .. } => None,
        }
    }
}

/// All the syntax errors of one query, with the query text for rendering.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("invalid KQL query")]
#[diagnostic(code(kql::invalid_query))]
pub struct ParseErrors {
    /// The query text.
    #[source_code]
    pub source_code: String,
    /// The errors, in text order (at least one).
    #[related]
    pub errors: Vec<KqlError>,
    /// Kibana's own message for the first error (`Expected … but … found.`), approximated
    /// from the parser's expectations (pest does not report every literal token Kibana
    /// lists). `None` for limits Kibana does not have (nesting depth, length).
    pub kibana_message: Option<String>,
}
