//! The same `rule_id` in two rule files: an error on the later file, pointing back at the
//! first (detection-rules refuses duplicate ids when it loads a rule folder, and Kibana keys
//! prebuilt rules by `rule_id`).

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::rule_file::RuleFile;

/// A rule file whose `rule_id` an earlier file already uses.
#[derive(Debug, Error, Diagnostic)]
#[error("rule_id {rule_id} is already used by {first_path}")]
#[diagnostic(
    code(rule::duplicate_rule_id),
    help(
        "give one of the two rules a new rule_id (a fresh UUID); Kibana keeps only one rule per id"
    )
)]
pub struct DuplicateRuleId {
    /// The shared id.
    pub rule_id: String,
    /// The name of the file that used it first.
    pub first_path: String,
    /// The later file.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// Its `rule_id` value.
    #[label("duplicate id")]
    pub span: SourceSpan,
    /// Where the first file uses it.
    #[related]
    pub first_use: Vec<FirstUse>,
}

/// Where the first file with a duplicated `rule_id` uses it.
#[derive(Debug, Error, Diagnostic)]
#[error("first used in {path}")]
#[diagnostic(code(rule::duplicate_rule_id), severity(Advice))]
pub struct FirstUse {
    /// The first file's name.
    pub path: String,
    /// The first file.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// Its `rule_id` value.
    #[label("first use of this id")]
    pub span: SourceSpan,
}

impl DuplicateRuleId {
    /// The error for `later`, whose `rule_id` is also `first`'s; `None` when the ids differ.
    pub fn between(first: &RuleFile, later: &RuleFile) -> Option<Self> {
        if first.rule.rule_id != later.rule.rule_id {
            return None;
        }
        let span_of = |file: &RuleFile| {
            let spans = file.key_spans();
            SourceSpan::from(spans.rule_id.unwrap_or(spans.rule_table))
        };
        Some(Self {
            rule_id: later.rule.rule_id.clone(),
            first_path: first.name().to_owned(),
            source_code: later.named_source(),
            span: span_of(later),
            first_use: vec![FirstUse {
                path: first.name().to_owned(),
                source_code: first.named_source(),
                span: span_of(first),
            }],
        })
    }
}
