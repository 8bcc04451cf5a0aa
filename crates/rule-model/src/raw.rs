//! The rule file exactly as TOML spells it: serde types with spans, before any shape check.
//!
//! Every field is optional here so that a missing key becomes our own diagnostic (with a
//! label and a help text) rather than serde's "missing field". Keys this crate does not
//! model (`filters`, `investigation_fields`, `transform`, ...) are ignored by serde.

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

/// A whole rule file: `[metadata]`, `[rule]` (and `[transform]`, ignored).
#[derive(Debug, Deserialize)]
pub(crate) struct RawDocument {
    pub(crate) metadata: Option<Spanned<RawMetadata>>,
    pub(crate) rule: Option<Spanned<RawRule>>,
}

/// One string or a list of strings (`integration`, `machine_learning_job_id`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

/// The `[metadata]` table of detection-rules (repository bookkeeping, not sent to Kibana).
#[derive(Debug, Deserialize)]
pub(crate) struct RawMetadata {
    pub(crate) creation_date: Option<Spanned<String>>,
    pub(crate) updated_date: Option<Spanned<String>>,
    pub(crate) maturity: Option<Spanned<String>>,
    pub(crate) integration: Option<OneOrMany>,
    pub(crate) min_stack_version: Option<String>,
    pub(crate) min_stack_comments: Option<String>,
    pub(crate) bypass_bbr_timing: Option<bool>,
    pub(crate) promotion: Option<bool>,
}

/// The `[rule]` table: the rule as Kibana's detection engine receives it.
#[derive(Debug, Deserialize)]
pub(crate) struct RawRule {
    pub(crate) author: Option<Vec<String>>,
    pub(crate) description: Option<Spanned<String>>,
    pub(crate) false_positives: Option<Vec<String>>,
    pub(crate) from: Option<Spanned<String>>,
    pub(crate) interval: Option<Spanned<String>>,
    pub(crate) index: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) language: Option<Spanned<String>>,
    pub(crate) license: Option<String>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) note: Option<String>,
    pub(crate) setup: Option<String>,
    pub(crate) references: Option<Vec<String>>,
    pub(crate) risk_score: Option<Spanned<i64>>,
    pub(crate) rule_id: Option<Spanned<String>>,
    pub(crate) severity: Option<Spanned<String>>,
    pub(crate) tags: Option<Vec<String>>,
    pub(crate) timestamp_override: Option<String>,
    #[serde(rename = "type")]
    pub(crate) rule_type: Option<Spanned<String>>,
    pub(crate) query: Option<Spanned<String>>,
    pub(crate) max_signals: Option<Spanned<i64>>,
    pub(crate) version: Option<Spanned<i64>>,
    pub(crate) event_category_override: Option<String>,
    pub(crate) tiebreaker_field: Option<String>,
    pub(crate) building_block_type: Option<String>,
    pub(crate) rule_name_override: Option<String>,
    pub(crate) enabled: Option<bool>,
    pub(crate) threat: Option<Vec<Spanned<RawThreat>>>,
    pub(crate) new_terms: Option<Spanned<RawNewTerms>>,
    pub(crate) threshold: Option<Spanned<RawThreshold>>,
    pub(crate) alert_suppression: Option<Spanned<RawAlertSuppression>>,
    pub(crate) machine_learning_job_id: Option<OneOrMany>,
    pub(crate) anomaly_threshold: Option<i64>,
    pub(crate) threat_index: Option<IgnoredAny>,
    pub(crate) threat_query: Option<IgnoredAny>,
    pub(crate) threat_mapping: Option<IgnoredAny>,
}

/// One `[[rule.threat]]` entry (a MITRE ATT&CK mapping).
#[derive(Debug, Deserialize)]
pub(crate) struct RawThreat {
    pub(crate) framework: Spanned<String>,
    pub(crate) tactic: Spanned<RawAttackEntry>,
    pub(crate) technique: Option<Vec<Spanned<RawTechnique>>>,
}

/// A tactic or sub-technique: id, name, reference URL.
#[derive(Debug, Deserialize)]
pub(crate) struct RawAttackEntry {
    pub(crate) id: Spanned<String>,
    pub(crate) name: Spanned<String>,
    pub(crate) reference: Spanned<String>,
}

/// A technique with its sub-techniques.
#[derive(Debug, Deserialize)]
pub(crate) struct RawTechnique {
    pub(crate) id: Spanned<String>,
    pub(crate) name: Spanned<String>,
    pub(crate) reference: Spanned<String>,
    pub(crate) subtechnique: Option<Vec<Spanned<RawAttackEntry>>>,
}

/// `[rule.new_terms]`: detection-rules writes Kibana's `new_terms_fields` and
/// `history_window_start` as `{field, value}` pairs.
#[derive(Debug, Deserialize)]
pub(crate) struct RawNewTerms {
    pub(crate) field: Option<Spanned<String>>,
    pub(crate) value: Option<Spanned<Vec<Spanned<String>>>>,
    pub(crate) history_window_start: Option<Spanned<Vec<Spanned<RawFieldValue>>>>,
}

/// A `{field, value}` pair with a string value.
#[derive(Debug, Deserialize)]
pub(crate) struct RawFieldValue {
    pub(crate) field: Option<Spanned<String>>,
    pub(crate) value: Option<Spanned<String>>,
}

/// `[rule.threshold]`.
#[derive(Debug, Deserialize)]
pub(crate) struct RawThreshold {
    pub(crate) field: Option<OneOrMany>,
    pub(crate) value: Option<Spanned<i64>>,
    pub(crate) cardinality: Option<Vec<RawCardinality>>,
}

/// One `[[rule.threshold.cardinality]]` entry.
#[derive(Debug, Deserialize)]
pub(crate) struct RawCardinality {
    pub(crate) field: String,
    pub(crate) value: i64,
}

/// `[rule.alert_suppression]`.
#[derive(Debug, Deserialize)]
pub(crate) struct RawAlertSuppression {
    pub(crate) group_by: Vec<String>,
    pub(crate) duration: Option<RawDuration>,
    pub(crate) missing_fields_strategy: Option<String>,
}

/// `{unit, value}` duration of alert suppression.
#[derive(Debug, Deserialize)]
pub(crate) struct RawDuration {
    pub(crate) unit: Spanned<String>,
    pub(crate) value: i64,
}
