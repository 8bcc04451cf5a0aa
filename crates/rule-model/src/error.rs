//! What can be wrong with a rule file: one diagnostic per problem, each labelled in the TOML.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// One problem found in a rule file. Every variant has a stable `rule::` code and a label on
/// the exact bytes of the TOML file it is about.
#[derive(Clone, Debug, Error, Diagnostic)]
pub enum RuleFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {message}")]
    #[diagnostic(code(rule::io))]
    Read {
        /// The path given.
        path: String,
        /// The operating system's message.
        message: String,
    },

    /// The file is not valid TOML, e.g. `name = "unterminated`.
    #[error("invalid TOML: {message}")]
    #[diagnostic(code(rule::toml_syntax))]
    TomlSyntax {
        /// The TOML parser's message.
        message: String,
        /// Where the parser stopped.
        #[label("here")]
        span: SourceSpan,
    },

    /// A value has the wrong TOML type, e.g. `risk_score = "47"`.
    #[error("invalid value: {message}")]
    #[diagnostic(code(rule::invalid_value))]
    InvalidValue {
        /// The deserializer's message.
        message: String,
        /// The value.
        #[label("this value")]
        span: SourceSpan,
    },

    /// A required table is absent, e.g. a file without `[rule]`.
    #[error("missing table `[{table}]`")]
    #[diagnostic(
        code(rule::missing_table),
        help("a detection rule file has a `[metadata]` and a `[rule]` table")
    )]
    MissingTable {
        /// The table name.
        table: &'static str,
        /// Start of the file.
        #[label("no `[{table}]` in this file")]
        span: SourceSpan,
    },

    /// A required key is absent, e.g. a `[rule]` without `rule_id`.
    #[error("missing key `{key}` in `[{table}]`")]
    #[diagnostic(code(rule::missing_key))]
    MissingKey {
        /// The key.
        key: &'static str,
        /// The table that should hold it.
        table: &'static str,
        /// The table header.
        #[label("`{key}` is required here")]
        span: SourceSpan,
        /// What the key should hold.
        #[help]
        help: String,
    },

    /// `type` is not one of Kibana's rule types, e.g. `type = "sequence"`.
    #[error("unknown rule type `{value}`")]
    #[diagnostic(
        code(rule::unknown_type),
        help(
            "known types: eql, query, new_terms, threshold, threat_match, machine_learning, esql, saved_query"
        )
    )]
    UnknownType {
        /// The type given.
        value: String,
        /// The value.
        #[label("not a rule type")]
        span: SourceSpan,
    },

    /// `language` is not one of Kibana's query languages, e.g. `language = "kql"`.
    #[error("unknown query language `{value}`")]
    #[diagnostic(
        code(rule::unknown_language),
        help("known languages: eql, kuery, lucene, esql (KQL is spelled `kuery`)")
    )]
    UnknownLanguage {
        /// The language given.
        value: String,
        /// The value.
        #[label("not a query language")]
        span: SourceSpan,
    },

    /// `language` does not fit `type`, e.g. `type = "eql"` with `language = "kuery"`.
    #[error("rule type `{rule_type}` cannot use language `{language}`")]
    #[diagnostic(code(rule::language_mismatch))]
    LanguageMismatch {
        /// The rule type.
        rule_type: String,
        /// The language given.
        language: String,
        /// The language value.
        #[label("wrong language for this rule type")]
        span: SourceSpan,
        /// The languages the type accepts.
        #[help]
        help: String,
    },

    /// A machine-learning rule carries a query, which Kibana would not run.
    #[error("a `machine_learning` rule has no query")]
    #[diagnostic(
        code(rule::unexpected_query),
        help("remove `query` and `language`, or change `type`")
    )]
    UnexpectedQuery {
        /// The query value.
        #[label("this query would be ignored")]
        span: SourceSpan,
    },

    /// The query is empty or only blanks.
    #[error("the query is empty")]
    #[diagnostic(code(rule::empty_query), help("write the query between the `'''` delimiters"))]
    EmptyQuery {
        /// The query value.
        #[label("empty")]
        span: SourceSpan,
    },

    /// `from` is not `now-<N><s|m|h|d>`, e.g. `from = "9m"`.
    #[error("invalid `from` value `{value}`")]
    #[diagnostic(
        code(rule::bad_from),
        help("write the look-back as now-<N><s|m|h|d>, e.g. \"now-9m\"")
    )]
    BadFrom {
        /// The value given.
        value: String,
        /// The value.
        #[label("expected now-<N><s|m|h|d>")]
        span: SourceSpan,
    },

    /// `interval` is not `<N><s|m|h|d>`, e.g. `interval = "5 minutes"`.
    #[error("invalid `interval` value `{value}`")]
    #[diagnostic(code(rule::bad_interval), help("write the schedule as <N><s|m|h|d>, e.g. \"5m\""))]
    BadInterval {
        /// The value given.
        value: String,
        /// The value.
        #[label("expected <N><s|m|h|d>")]
        span: SourceSpan,
    },

    /// An index pattern is malformed, e.g. `"logs-*, winlogbeat-*"`.
    #[error("invalid index pattern {pattern:?}: {reason}")]
    #[diagnostic(
        code(rule::bad_index_pattern),
        help("write one pattern per array element, e.g. [\"logs-*\", \"winlogbeat-*\"]")
    )]
    BadIndexPattern {
        /// The pattern given.
        pattern: String,
        /// What is wrong with it.
        reason: &'static str,
        /// The pattern.
        #[label("{reason}")]
        span: SourceSpan,
    },

    /// `risk_score` is outside 0..=100.
    #[error("`risk_score` must be between 0 and 100, not {value}")]
    #[diagnostic(
        code(rule::risk_score_range),
        help("Kibana maps 0-21 to low, 22-47 medium, 48-73 high, 74-100 critical")
    )]
    RiskScoreRange {
        /// The value given.
        value: i64,
        /// The value.
        #[label("out of range")]
        span: SourceSpan,
    },

    /// `severity` is not low, medium, high or critical.
    #[error("unknown severity `{value}`")]
    #[diagnostic(
        code(rule::unknown_severity),
        help("known severities: low, medium, high, critical")
    )]
    UnknownSeverity {
        /// The value given.
        value: String,
        /// The value.
        #[label("not a severity")]
        span: SourceSpan,
    },

    /// `max_signals` is not a positive number.
    #[error("`max_signals` must be a positive number, not {value}")]
    #[diagnostic(code(rule::bad_max_signals), help("leave it out for Kibana's default of 100"))]
    BadMaxSignals {
        /// The value given.
        value: i64,
        /// The value.
        #[label("not positive")]
        span: SourceSpan,
    },

    /// `version` is not a positive number: `version = 0`.
    #[error("`version` must be a positive number, not {value}")]
    #[diagnostic(
        code(rule::bad_version),
        help("leave it out for Kibana's version of a new rule, 1")
    )]
    BadVersion {
        /// The value given.
        value: i64,
        /// The value.
        #[label("not positive")]
        span: SourceSpan,
    },

    /// `[rule.new_terms]` is malformed, e.g. no fields, or a bad history window.
    #[error("invalid `[rule.new_terms]`: {message}")]
    #[diagnostic(code(rule::bad_new_terms))]
    BadNewTerms {
        /// What is wrong.
        message: String,
        /// The offending part.
        #[label("{message}")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A type-specific table is missing or malformed, e.g. a `threshold` rule without
    /// `[rule.threshold]`.
    #[error("invalid `[rule.{table}]`: {message}")]
    #[diagnostic(code(rule::bad_type_settings))]
    BadTypeSettings {
        /// `threshold`, `alert_suppression`, ...
        table: &'static str,
        /// What is wrong.
        message: String,
        /// The offending part.
        #[label("{message}")]
        span: SourceSpan,
    },

    /// `risk_score` lies outside the band of `severity`, e.g. `severity = "low"` with
    /// `risk_score = 73`. Elastic's rule settings reference gives the bands as guidelines
    /// (0-21 low, 22-47 medium, 48-73 high, 74-100 critical), so this is a warning.
    #[error("`risk_score` {value} is outside the `{severity}` band ({low}-{high})")]
    #[diagnostic(code(rule::risk_score_band), severity(Warning))]
    RiskScoreBand {
        /// The score given.
        value: u8,
        /// The severity given.
        severity: &'static str,
        /// Lowest score of the band.
        low: u8,
        /// Highest score of the band.
        high: u8,
        /// The score.
        #[label("not a `{severity}` score")]
        span: SourceSpan,
        /// Which score or severity would agree.
        #[help]
        help: String,
    },

    /// `max_signals` is above 1000, the default of Kibana's `xpack.alerting.rules.run.alerts.max`,
    /// which caps every rule's alerts per run whatever the rule asks for.
    #[error("`max_signals` {value} is above Kibana's alerting limit of 1000 alerts per run")]
    #[diagnostic(
        code(rule::max_signals_limit),
        severity(Warning),
        help(
            "Kibana stops at xpack.alerting.rules.run.alerts.max (default 1000); set max_signals = 1000 or less"
        )
    )]
    MaxSignalsLimit {
        /// The value given.
        value: u32,
        /// The value.
        #[label("more than Kibana will create")]
        span: SourceSpan,
    },

    /// A `[[rule.threat]]` entry is malformed, e.g. a technique id `T1053.005` under
    /// `technique` (it is a sub-technique) or a reference URL that names another id.
    #[error("invalid threat mapping: {message}")]
    #[diagnostic(code(rule::bad_threat))]
    BadThreat {
        /// What is wrong.
        message: String,
        /// The offending value.
        #[label("{message}")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A key of `[rule]` or `[metadata]` that neither detection-rules nor Kibana knows, e.g.
    /// `risk_scor = 47`; Kibana would ignore it.
    #[error("unknown key `{key}` in `[{table}]`")]
    #[diagnostic(code(rule::unknown_key), severity(Warning))]
    UnknownKey {
        /// The key.
        key: String,
        /// The table holding it (`rule` or `metadata`; empty for the top level).
        table: &'static str,
        /// The key.
        #[label("not a known key")]
        span: SourceSpan,
        /// A "did you mean" suggestion, or how to remove it.
        #[help]
        help: String,
    },

    /// An EQL sequence's `maxspan` is longer than the rule's look-back plus ten minutes, so
    /// a sequence that spans it can never be seen whole (detection-rules' `test_eql_lookback`).
    #[error("look-back of {lookback} is too short for `maxspan={maxspan}`")]
    #[diagnostic(code(rule::lookback_too_short))]
    LookbackTooShort {
        /// The look-back (`from`, or Kibana's default `now-6m`), as written.
        lookback: String,
        /// The sequence's maxspan, as written.
        maxspan: String,
        /// `from`, or the `[rule]` header when `from` is not set.
        #[label("looks back {lookback}")]
        span: SourceSpan,
        /// The `from` that would do.
        #[help]
        help: String,
    },
}

/// All the problems of one rule file, with the file's text, ready to render.
#[derive(Debug, Error, Diagnostic)]
#[error("{} problem(s) in rule file {}", errors.len(), source_code.name())]
#[diagnostic(code(rule::invalid_file))]
pub struct RuleFileFailure {
    /// The rule file.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// The problems, in file order.
    #[related]
    pub errors: Vec<RuleFileError>,
}

/// The warnings about a rule file that loaded: problems Kibana would accept, but that are
/// likely mistakes.
#[derive(Debug, Error, Diagnostic)]
#[error("{} warning(s) in rule file {}", warnings.len(), source_code.name())]
#[diagnostic(code(rule::warnings), severity(Warning))]
pub struct RuleFileWarnings {
    /// The rule file.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// The warnings, in file order.
    #[related]
    pub warnings: Vec<RuleFileError>,
}

impl RuleFileError {
    /// True for problems that make the file invalid, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity().is_none_or(|severity| severity == miette::Severity::Error)
    }
}
