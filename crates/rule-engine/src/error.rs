//! Why a rule cannot be loaded into the engine.

use miette::Diagnostic;

/// A rule the engine cannot run, with the rule it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum EngineError {
    /// A rule type this engine does not run yet.
    #[error("rule `{rule_id}`: rule type `{rule_type}` is not supported yet")]
    #[diagnostic(
        code(engine::unsupported_rule_type),
        help("the engine runs `eql` event queries and `query`/`new_terms` KQL rules")
    )]
    UnsupportedRuleType {
        /// The rule.
        rule_id: String,
        /// Its type.
        rule_type: String,
    },
    /// A query language this engine does not run for this rule type.
    #[error("rule `{rule_id}`: language `{language}` is not supported for `{rule_type}` rules")]
    #[diagnostic(
        code(engine::unsupported_language),
        help("use `kuery` (KQL) for query and new_terms rules")
    )]
    UnsupportedLanguage {
        /// The rule.
        rule_id: String,
        /// Its type.
        rule_type: String,
        /// Its language.
        language: String,
    },
    /// The compiled query is of a shape this rule type cannot run (e.g. an EQL sequence).
    #[error("rule `{rule_id}`: {problem}")]
    #[diagnostic(code(engine::unsupported_query))]
    UnsupportedQuery {
        /// The rule.
        rule_id: String,
        /// What is not supported.
        problem: String,
    },
    /// An index pattern that cannot match.
    #[error("rule `{rule_id}`: {problem}")]
    #[diagnostic(
        code(engine::index_pattern),
        help("write index patterns like `logs-endpoint.events.*`")
    )]
    IndexPattern {
        /// The rule.
        rule_id: String,
        /// What is wrong.
        problem: String,
    },
    /// A `new_terms` rule without usable new-terms settings.
    #[error("rule `{rule_id}`: {problem}")]
    #[diagnostic(
        code(engine::new_terms),
        help(
            "set `[rule.new_terms]` with 1 to 3 `new_terms_fields` and a `history_window_start` like `now-14d`"
        )
    )]
    NewTerms {
        /// The rule.
        rule_id: String,
        /// What is wrong.
        problem: String,
    },
}
