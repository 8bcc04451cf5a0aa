//! Detection-rule TOML files (the `elastic/detection-rules` layout): loading with spans and
//! shape checks.
//!
//! [`RuleFile::parse`] reads a rule file with the `toml` crate keeping spans, checks its
//! shape (required keys by rule type, language, `from`, `interval`, index patterns,
//! new-terms settings, the MITRE threat mapping, ...) and returns a typed [`Rule`] with its
//! warnings (unknown keys, a risk score outside its severity's band, `max_signals` above
//! Kibana's limit), or every problem as a [`RuleFileError`] labelled on the exact bytes of the
//! file. [`RuleFile::check_lookback`] and [`DuplicateRuleId`] are the checks that need more
//! than the file (an EQL sequence's maxspan, the other files of a folder). A query's own diagnostics
//! (from the EQL or KQL parser) are moved into the file with
//! [`RuleFile::query_diagnostic`] or [`RuleFile::query_span_in_file`].
//!
//! ```
//! use rule_model::{Language, RuleFile, RuleType};
//! use rule_span::Span;
//!
//! let text = r#"
//! [rule]
//! rule_id = "00000000-0000-0000-0000-000000000001"
//! name = "Job file"
//! description = "A .job file was created."
//! risk_score = 47
//! severity = "medium"
//! type = "eql"
//! language = "eql"
//! from = "now-9m"
//! index = ["logs-endpoint.events.file-*"]
//! query = '''
//! file where file.extension : "job"
//! '''
//! "#;
//! let file = RuleFile::parse("job.toml", text).expect("a valid rule");
//! assert_eq!(file.rule.rule_type, RuleType::Eql);
//! assert_eq!(file.rule.language, Some(Language::Eql));
//! assert_eq!(file.rule.lookback().as_secs(), 9 * 60);
//! // `file` (bytes 0..4 of the query) sits right after `query = '''` and its newline.
//! let in_file = file.query_span_in_file(Span::new(0, 4)).unwrap();
//! assert_eq!(&text[in_file.range()], "file");
//! ```

mod check;
mod duplicate;
mod error;
mod index_pattern;
mod known_keys;
mod model;
mod query_span;
mod raw;
mod rule_file;
mod threat;
mod time_span;

pub use duplicate::{DuplicateRuleId, FirstUse};
pub use error::{RuleFileError, RuleFileFailure, RuleFileWarnings};
pub use model::{
    AlertSuppression, AttackEntry, Cardinality, KeySpans, Language, Metadata, NewTerms, Query,
    Rule, RuleType, Severity, Technique, Threat, Threshold,
};
pub use query_span::QueryDiagnostic;
pub use rule_file::{LoadFailure, RuleFile, RuleSummary};
pub use time_span::{TimeSpan, TimeUnit};
