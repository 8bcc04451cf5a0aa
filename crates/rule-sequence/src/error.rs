//! Why a compiled sequence or sample plan cannot run.

use miette::Diagnostic;

/// A plan the matchers refuse, with Elasticsearch's reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum SequenceError {
    /// A sequence needs two stages or more (EQL grammar: `sequenceTerm sequenceTerm+`).
    #[error("a sequence needs at least two terms, found {found}")]
    #[diagnostic(
        code(sequence::too_few_terms),
        help("add a term, or use `with runs=N` to repeat one")
    )]
    TooFewTerms {
        /// Stages after `runs` expansion.
        found: usize,
    },
    /// Every term is a missing-event term (`![...]`).
    #[error("a sequence needs at least one term that is not a missing event (`![...]`)")]
    #[diagnostic(code(sequence::no_positive_term))]
    NoPositiveTerm,
    /// Missing-event terms are only allowed with `with maxspan` (EQL syntax reference,
    /// "Missing events").
    #[error("missing-event terms (`![...]`) need `with maxspan=...`")]
    #[diagnostic(
        code(sequence::missing_needs_maxspan),
        help("add `with maxspan=<n><unit>` after `sequence [by ...]`")
    )]
    MissingWithoutMaxspan,
    /// Terms with different numbers of join keys cannot be joined (EQL syntax reference,
    /// "by keyword").
    #[error("term {term} has {found} join keys but the first term has {expected}")]
    #[diagnostic(
        code(sequence::join_key_count),
        help("give every term (and `until`) the same number of `by` fields")
    )]
    JoinKeyCount {
        /// 1-based term number (`until` counts as the last).
        term: usize,
        /// Keys of the first term.
        expected: usize,
        /// Keys of this term.
        found: usize,
    },
    /// A sample needs a join key (EQL syntax reference, "Samples").
    #[error("a sample needs at least one join key")]
    #[diagnostic(
        code(sequence::sample_without_keys),
        help("add `by <field>` after `sample` or after each filter")
    )]
    SampleWithoutKeys,
    /// `max_samples_per_key` must be positive (EQL search API).
    #[error("max_samples_per_key must be at least 1")]
    #[diagnostic(code(sequence::max_samples_per_key))]
    ZeroSamplesPerKey,
    /// A saved matcher state that does not fit the plan (a corrupt state file, or state saved
    /// for another query).
    #[error("the saved sequence state does not fit the query: {problem}")]
    #[diagnostic(
        code(sequence::invalid_state),
        help("delete the state directory to start the rule's sequences afresh")
    )]
    InvalidState {
        /// What does not fit.
        problem: String,
    },
}
