//! The checked rule: typed values a compiler and an engine can use without re-checking.

use std::fmt;

use rule_span::Span;

use crate::time_span::TimeSpan;

/// Kibana's rule types (`[rule] type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleType {
    /// `eql`: an EQL query (event, sequence or sample).
    Eql,
    /// `query`: a KQL or Lucene query, one alert per matching event.
    Query,
    /// `new_terms`: a query whose alert fires when a combination of field values is new.
    NewTerms,
    /// `threshold`: a query whose alert fires when a group of events reaches a count.
    Threshold,
    /// `threat_match`: events matched against an indicator index.
    ThreatMatch,
    /// `machine_learning`: anomalies from an ML job; no query.
    MachineLearning,
    /// `esql`: an ES|QL query.
    Esql,
    /// `saved_query`: a query stored in Kibana.
    SavedQuery,
}

impl RuleType {
    /// Every type, in the order diagnostics list them.
    pub const ALL: [RuleType; 8] = [
        Self::Eql,
        Self::Query,
        Self::NewTerms,
        Self::Threshold,
        Self::ThreatMatch,
        Self::MachineLearning,
        Self::Esql,
        Self::SavedQuery,
    ];

    /// The type as the TOML file spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eql => "eql",
            Self::Query => "query",
            Self::NewTerms => "new_terms",
            Self::Threshold => "threshold",
            Self::ThreatMatch => "threat_match",
            Self::MachineLearning => "machine_learning",
            Self::Esql => "esql",
            Self::SavedQuery => "saved_query",
        }
    }

    /// Parses the TOML spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The query languages this type accepts; empty when it has no query.
    /// (Kibana's rule schema: `eql` rules take `eql`, `esql` rules `esql`, machine-learning
    /// rules none, the other query rules `kuery` or `lucene`.)
    pub const fn languages(self) -> &'static [Language] {
        match self {
            Self::Eql => &[Language::Eql],
            Self::Esql => &[Language::Esql],
            Self::MachineLearning => &[],
            Self::Query
            | Self::NewTerms
            | Self::Threshold
            | Self::ThreatMatch
            | Self::SavedQuery => &[Language::Kuery, Language::Lucene],
        }
    }

    /// True when a rule of this type must carry `query` and `language`. A `saved_query` rule
    /// may take its query from Kibana instead.
    pub const fn requires_query(self) -> bool {
        !matches!(self, Self::MachineLearning | Self::SavedQuery)
    }
}

impl fmt::Display for RuleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Query languages (`[rule] language`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// Event Query Language.
    Eql,
    /// Kibana Query Language (KQL).
    Kuery,
    /// Lucene query string syntax.
    Lucene,
    /// ES|QL.
    Esql,
}

impl Language {
    /// Every language, in the order diagnostics list them.
    pub const ALL: [Language; 4] = [Self::Eql, Self::Kuery, Self::Lucene, Self::Esql];

    /// The language as the TOML file spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eql => "eql",
            Self::Kuery => "kuery",
            Self::Lucene => "lucene",
            Self::Esql => "esql",
        }
    }

    /// Parses the TOML spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Alert severity (`[rule] severity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [Self::Low, Self::Medium, Self::High, Self::Critical];

    /// The severity as the TOML file spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses the TOML spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The risk scores that go with this severity, inclusive (Elastic's rule settings
    /// reference, "Default risk score": 0-21 low, 22-47 medium, 48-73 high, 74-100 critical).
    pub const fn risk_score_band(self) -> (u8, u8) {
        match self {
            Self::Low => (0, 21),
            Self::Medium => (22, 47),
            Self::High => (48, 73),
            Self::Critical => (74, 100),
        }
    }

    /// The risk score Kibana's rule form fills in for this severity
    /// (`defaultRiskScoreBySeverity`: the top of the band, except 99 for critical).
    pub const fn default_risk_score(self) -> u8 {
        match self {
            Self::Low => 21,
            Self::Medium => 47,
            Self::High => 73,
            Self::Critical => 99,
        }
    }

    /// The severity whose band holds `score` (scores above 100 count as critical).
    pub fn for_risk_score(score: u8) -> Self {
        Self::ALL.into_iter().find(|s| score <= s.risk_score_band().1).unwrap_or(Self::Critical)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule's query text and where it sits in the rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The query as TOML decodes it (for `'''` strings: without the first newline).
    pub text: String,
    /// Span of the whole TOML value (delimiters included) in the rule file.
    pub value_span: Span,
    /// Byte offset in the rule file of the query's first byte, when the file spells the
    /// query byte for byte (literal strings, or basic strings without escapes); `None`
    /// when decoding changed the text and query spans cannot be mapped exactly.
    pub offset: Option<u32>,
}

/// `[rule.new_terms]`: the terms whose first sighting raises an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTerms {
    /// `new_terms_fields`: 1 to 3 fields whose value combination must be new.
    pub fields: Vec<String>,
    /// `history_window_start` as written (`now-14d`).
    pub history_window_start: String,
    /// How far back the history reaches (`now-14d` gives 14 days).
    pub history_window: TimeSpan,
}

/// `[rule.threshold]`: alert when a group of events reaches a count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threshold {
    /// Fields to group by (empty: all events form one group).
    pub fields: Vec<String>,
    /// The count a group must reach.
    pub value: u64,
    /// Distinct-value conditions: the group needs at least `value` distinct values of `field`.
    pub cardinality: Vec<Cardinality>,
}

/// One threshold cardinality condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cardinality {
    /// The field whose distinct values are counted.
    pub field: String,
    /// The number of distinct values needed.
    pub value: u64,
}

/// `[rule.alert_suppression]`: alerts grouped by fields within a time window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertSuppression {
    /// Fields whose values group the alerts.
    pub group_by: Vec<String>,
    /// Suppression window; `None` means one alert per rule execution.
    pub duration: Option<TimeSpan>,
    /// `suppress` or `doNotSuppress` (Kibana's default: `suppress`).
    pub missing_fields_strategy: Option<String>,
}

/// One MITRE ATT&CK mapping (`[[rule.threat]]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threat {
    /// `MITRE ATT&CK`.
    pub framework: String,
    /// The tactic.
    pub tactic: AttackEntry,
    /// Techniques, each with its sub-techniques.
    pub techniques: Vec<Technique>,
}

/// A tactic or sub-technique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttackEntry {
    /// `TA0003`, `T1053.005`, ...
    pub id: String,
    /// Human name.
    pub name: String,
    /// Reference URL.
    pub reference: String,
}

/// A technique and its sub-techniques.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Technique {
    /// The technique itself.
    pub entry: AttackEntry,
    /// Its sub-techniques.
    pub subtechniques: Vec<AttackEntry>,
}

/// `[metadata]`: detection-rules' bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `YYYY/MM/DD`.
    pub creation_date: Option<String>,
    /// `YYYY/MM/DD`.
    pub updated_date: Option<String>,
    /// `production`, `development` or `deprecated`.
    pub maturity: Option<String>,
    /// Integration packages the rule reads from.
    pub integration: Vec<String>,
    /// Oldest stack version the rule runs on.
    pub min_stack_version: Option<String>,
    /// Why that version.
    pub min_stack_comments: Option<String>,
    /// Building-block timing exception.
    pub bypass_bbr_timing: Option<bool>,
    /// Promotion rule (alerts from external systems).
    pub promotion: Option<bool>,
}

/// A checked `[rule]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id (a UUID).
    pub rule_id: String,
    /// Display name.
    pub name: String,
    /// What the rule detects.
    pub description: String,
    /// The rule type.
    pub rule_type: RuleType,
    /// The query language (`None` for machine-learning rules).
    pub language: Option<Language>,
    /// The query (`None` for machine-learning rules).
    pub query: Option<Query>,
    /// Index patterns the rule searches (empty: Kibana's default indices, or ES|QL's own).
    pub index: Vec<String>,
    /// Look-back from `from` (`now-9m` gives 9 minutes); `None` when not set.
    pub from: Option<TimeSpan>,
    /// Schedule from `interval`; `None` when not set.
    pub interval: Option<TimeSpan>,
    /// Alerts per execution from `max_signals`; `None` when not set.
    pub max_signals: Option<u32>,
    /// The rule's content version (`version`); `None` when not set (Kibana gives a new rule
    /// version 1; a prebuilt rule's comes from detection-rules' version lock, not its TOML).
    pub version: Option<u32>,
    /// 0 to 100.
    pub risk_score: u8,
    /// Alert severity.
    pub severity: Severity,
    /// Authors.
    pub author: Vec<String>,
    /// Licence of the rule text.
    pub license: Option<String>,
    /// Investigation guide (Markdown).
    pub note: Option<String>,
    /// Setup guide (Markdown).
    pub setup: Option<String>,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Known false positives.
    pub false_positives: Vec<String>,
    /// Tags (`Domain: Endpoint`, ...).
    pub tags: Vec<String>,
    /// Field used as the event time instead of `@timestamp`.
    pub timestamp_override: Option<String>,
    /// EQL: field holding the event category instead of `event.category`.
    pub event_category_override: Option<String>,
    /// EQL: field breaking ties between events with the same timestamp.
    pub tiebreaker_field: Option<String>,
    /// `default` for building-block rules.
    pub building_block_type: Option<String>,
    /// Field whose value names the alert instead of `name`.
    pub rule_name_override: Option<String>,
    /// Whether the rule is enabled on install.
    pub enabled: Option<bool>,
    /// MITRE ATT&CK mappings.
    pub threat: Vec<Threat>,
    /// New-terms settings (`new_terms` rules).
    pub new_terms: Option<NewTerms>,
    /// Threshold settings (`threshold` rules).
    pub threshold: Option<Threshold>,
    /// Alert suppression settings.
    pub alert_suppression: Option<AlertSuppression>,
    /// ML job ids (`machine_learning` rules).
    pub machine_learning_job_id: Vec<String>,
    /// Anomaly score threshold (`machine_learning` rules).
    pub anomaly_threshold: Option<i64>,
}

impl Rule {
    /// Kibana's default look-back when `from` is not set: `now-6m`
    /// (`security_solution` rule schema, `from` default).
    pub const DEFAULT_FROM: TimeSpan = TimeSpan::minutes(6);
    /// Kibana's default schedule when `interval` is not set: `5m`.
    pub const DEFAULT_INTERVAL: TimeSpan = TimeSpan::minutes(5);
    /// Kibana's default alerts per execution when `max_signals` is not set
    /// (`DEFAULT_MAX_SIGNALS = 100` in `security_solution`'s constants).
    pub const DEFAULT_MAX_SIGNALS: u32 = 100;

    /// The look-back window, `from` or Kibana's default.
    pub fn lookback(&self) -> TimeSpan {
        self.from.unwrap_or(Self::DEFAULT_FROM)
    }

    /// The schedule, `interval` or Kibana's default.
    pub fn schedule(&self) -> TimeSpan {
        self.interval.unwrap_or(Self::DEFAULT_INTERVAL)
    }

    /// Alerts per execution, `max_signals` or Kibana's default.
    pub fn alerts_per_run(&self) -> u32 {
        self.max_signals.unwrap_or(Self::DEFAULT_MAX_SIGNALS)
    }

    /// The query text, if the rule has one.
    pub fn query_text(&self) -> Option<&str> {
        self.query.as_ref().map(|q| q.text.as_str())
    }
}

/// Where some keys sit in the rule file, for checks made after loading (duplicate ids,
/// look-back against a sequence's maxspan).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeySpans {
    /// The `[rule]` table.
    pub rule_table: Span,
    /// The `rule_id` value.
    pub rule_id: Option<Span>,
    /// The `from` value, if set.
    pub from: Option<Span>,
}
