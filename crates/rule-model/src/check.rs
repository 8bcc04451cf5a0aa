//! Shape checks: turns the raw TOML tables into a checked [`Rule`], collecting one
//! diagnostic per problem instead of stopping at the first.

use std::ops::Range;

use miette::SourceSpan;
use toml::Spanned;

use crate::error::RuleFileError;
use crate::index_pattern::index_pattern_problem;
use crate::model::{
    AlertSuppression, Cardinality, KeySpans, Language, Metadata, NewTerms, Query, Rule, RuleType,
    Severity, Threshold,
};
use crate::query_span::query_offset;
use crate::raw::{RawAlertSuppression, RawMetadata, RawNewTerms, RawRule, RawThreshold};
use crate::time_span::{TimeSpan, TimeUnit};

/// Kibana's limit on `new_terms_fields` (`security_solution` rule schema: 1 to 3 fields).
const MAX_NEW_TERMS_FIELDS: usize = 3;

fn source_span(range: Range<usize>) -> SourceSpan {
    range.into()
}

/// Kibana's cap on alerts per rule run: `xpack.alerting.rules.run.alerts.max`, default 1000
/// (Kibana alerting settings; prebuilt rules' setup guides say a higher `max_signals` "can be
/// superseded" by it).
const ALERTING_MAX_ALERTS: u32 = 1000;

/// Collects diagnostics (errors and warnings) while checking one rule file.
pub(crate) struct Checker<'t> {
    text: &'t str,
    errors: Vec<RuleFileError>,
    /// Where the keys later checks point at.
    pub(crate) spans: KeySpans,
}

impl<'t> Checker<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Self { text, errors: Vec::new(), spans: KeySpans::default() }
    }

    /// Every diagnostic collected, errors and warnings.
    pub(crate) fn into_errors(self) -> Vec<RuleFileError> {
        self.errors
    }

    /// True when a collected diagnostic is an error (not a warning).
    fn has_errors(&self) -> bool {
        self.errors.iter().any(RuleFileError::is_error)
    }

    fn push(&mut self, error: RuleFileError) {
        self.errors.push(error);
    }

    fn missing(&mut self, key: &'static str, table: &Range<usize>, help: String) {
        self.push(RuleFileError::MissingKey {
            key,
            table: "rule",
            span: source_span(table.clone()),
            help,
        });
    }

    fn required<T>(
        &mut self,
        value: Option<Spanned<T>>,
        key: &'static str,
        table: &Range<usize>,
        help: &str,
    ) -> Option<Spanned<T>> {
        if value.is_none() {
            self.missing(key, table, help.to_owned());
        }
        value
    }

    /// Checks `[metadata]`; nothing in it is required by the detection engine.
    pub(crate) fn metadata(raw: RawMetadata) -> Metadata {
        Metadata {
            creation_date: raw.creation_date.map(Spanned::into_inner),
            updated_date: raw.updated_date.map(Spanned::into_inner),
            maturity: raw.maturity.map(Spanned::into_inner),
            integration: raw.integration.map(crate::raw::OneOrMany::into_vec).unwrap_or_default(),
            min_stack_version: raw.min_stack_version,
            min_stack_comments: raw.min_stack_comments,
            bypass_bbr_timing: raw.bypass_bbr_timing,
            promotion: raw.promotion,
        }
    }

    /// Checks `[rule]`, whose header is at `table`. Returns `None` when a required part is
    /// missing or wrong (the reasons are in the collected errors).
    pub(crate) fn rule(&mut self, raw: RawRule, table: Range<usize>) -> Option<Rule> {
        self.spans.rule_table = rule_span::Span::from_range(table.clone());
        self.spans.rule_id = raw.rule_id.as_ref().map(|id| rule_span::Span::from_range(id.span()));
        self.spans.from = raw.from.as_ref().map(|from| rule_span::Span::from_range(from.span()));
        let type_keys: Vec<&str> = [
            ("threat_index", raw.threat_index.is_some()),
            ("threat_query", raw.threat_query.is_some()),
            ("threat_mapping", raw.threat_mapping.is_some()),
            ("machine_learning_job_id", raw.machine_learning_job_id.is_some()),
            ("anomaly_threshold", raw.anomaly_threshold.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, present)| present.then_some(key))
        .collect();
        let rule_id = self.required(
            raw.rule_id,
            "rule_id",
            &table,
            "give the rule a stable id, e.g. rule_id = \"<a new UUID>\"",
        );
        let name = self.required(
            raw.name,
            "name",
            &table,
            "name the rule, e.g. name = \"Persistence via Scheduled Job Creation\"",
        );
        let description = self.required(
            raw.description,
            "description",
            &table,
            "describe what the rule detects in description = \"\"\"...\"\"\"",
        );
        let risk_score = self.required(
            raw.risk_score,
            "risk_score",
            &table,
            "set a risk score from 0 to 100, e.g. risk_score = 47",
        );
        let severity = self.required(
            raw.severity,
            "severity",
            &table,
            "set severity = \"low\", \"medium\", \"high\" or \"critical\"",
        );
        let rule_type = self.required(
            raw.rule_type,
            "type",
            &table,
            "set the rule type, e.g. type = \"eql\" or type = \"query\"",
        );

        let risk_score_span = risk_score.as_ref().map(Spanned::span);
        let risk_score = risk_score.and_then(|score| self.risk_score(&score));
        let severity = severity.and_then(|severity| self.severity(&severity));
        if let (Some(score), Some(severity), Some(span)) = (risk_score, severity, risk_score_span) {
            self.risk_score_band(score, severity, span);
        }
        let rule_type = rule_type.and_then(|t| self.rule_type(&t));
        let language = raw.language.as_ref().and_then(|l| self.language(l));
        let query = self.query(rule_type, raw.language.as_ref(), language, raw.query, &table);
        let from = raw.from.and_then(|from| self.from(&from));
        let interval = raw.interval.and_then(|interval| self.interval(&interval));
        let max_signals = raw.max_signals.and_then(|m| self.max_signals(&m));
        let version = raw.version.and_then(|v| self.version(&v));
        let index = raw.index.map(|index| self.index(index)).unwrap_or_default();
        let new_terms = self.new_terms(rule_type, raw.new_terms, &table);
        let threshold = self.threshold(rule_type, raw.threshold, &table);
        let alert_suppression = raw.alert_suppression.and_then(|s| self.alert_suppression(s));
        self.type_keys(rule_type, &type_keys, &table);
        let threat = crate::threat::threats(raw.threat.unwrap_or_default(), &mut self.errors);

        Some(Rule {
            rule_id: rule_id?.into_inner(),
            name: name?.into_inner(),
            description: description?.into_inner(),
            rule_type: rule_type?,
            language,
            query,
            index,
            from,
            interval,
            max_signals,
            version,
            risk_score: risk_score?,
            severity: severity?,
            author: raw.author.unwrap_or_default(),
            license: raw.license,
            note: raw.note,
            setup: raw.setup,
            references: raw.references.unwrap_or_default(),
            false_positives: raw.false_positives.unwrap_or_default(),
            tags: raw.tags.unwrap_or_default(),
            timestamp_override: raw.timestamp_override,
            event_category_override: raw.event_category_override,
            tiebreaker_field: raw.tiebreaker_field,
            building_block_type: raw.building_block_type,
            rule_name_override: raw.rule_name_override,
            enabled: raw.enabled,
            threat,
            new_terms,
            threshold,
            alert_suppression,
            machine_learning_job_id: raw
                .machine_learning_job_id
                .map(crate::raw::OneOrMany::into_vec)
                .unwrap_or_default(),
            anomaly_threshold: raw.anomaly_threshold,
        })
        .filter(|_| !self.has_errors())
    }

    /// Warns when `score` lies outside the band of `severity` (Elastic's rule settings
    /// reference, "Default risk score": 0-21 low, 22-47 medium, 48-73 high, 74-100 critical).
    fn risk_score_band(&mut self, score: u8, severity: Severity, span: Range<usize>) {
        let (low, high) = severity.risk_score_band();
        if (low..=high).contains(&score) {
            return;
        }
        let fitting = Severity::for_risk_score(score);
        self.push(RuleFileError::RiskScoreBand {
            value: score,
            severity: severity.as_str(),
            low,
            high,
            span: source_span(span),
            help: format!(
                "set risk_score = {} (Kibana's default for `{severity}`), or severity = \"{fitting}\" to keep {score}",
                severity.default_risk_score()
            ),
        });
    }

    /// Checks the keys a rule type needs beyond a query (Kibana's rule schema:
    /// `threat_match` rules need `threat_index`, `threat_query` and `threat_mapping`;
    /// `machine_learning` rules `machine_learning_job_id` and `anomaly_threshold`).
    fn type_keys(&mut self, rule_type: Option<RuleType>, present: &[&str], table: &Range<usize>) {
        let needed: &[(&'static str, &str)] = match rule_type {
            Some(RuleType::ThreatMatch) => &[
                (
                    "threat_index",
                    "list the indicator indices, e.g. threat_index = [\"filebeat-*\", \"logs-ti_*\"]",
                ),
                (
                    "threat_query",
                    "select the indicators, e.g. threat_query = \"@timestamp >= \\\"now-30d/d\\\"\"",
                ),
                (
                    "threat_mapping",
                    "map event fields to indicator fields in [[rule.threat_mapping]] entries",
                ),
            ],
            Some(RuleType::MachineLearning) => &[
                (
                    "machine_learning_job_id",
                    "name the anomaly job(s), e.g. machine_learning_job_id = [\"rare_process_by_host_windows\"]",
                ),
                (
                    "anomaly_threshold",
                    "set the anomaly score threshold, e.g. anomaly_threshold = 50",
                ),
            ],
            _ => &[],
        };
        for (key, help) in needed {
            if !present.contains(key) {
                self.missing(key, table, (*help).to_owned());
            }
        }
    }

    fn risk_score(&mut self, score: &Spanned<i64>) -> Option<u8> {
        let value = *score.get_ref();
        let ok = u8::try_from(value).ok().filter(|v| *v <= 100);
        if ok.is_none() {
            self.push(RuleFileError::RiskScoreRange { value, span: source_span(score.span()) });
        }
        ok
    }

    fn severity(&mut self, severity: &Spanned<String>) -> Option<Severity> {
        let parsed = Severity::from_name(severity.get_ref());
        if parsed.is_none() {
            self.push(RuleFileError::UnknownSeverity {
                value: severity.get_ref().clone(),
                span: source_span(severity.span()),
            });
        }
        parsed
    }

    fn rule_type(&mut self, value: &Spanned<String>) -> Option<RuleType> {
        let parsed = RuleType::from_name(value.get_ref());
        if parsed.is_none() {
            self.push(RuleFileError::UnknownType {
                value: value.get_ref().clone(),
                span: source_span(value.span()),
            });
        }
        parsed
    }

    fn language(&mut self, value: &Spanned<String>) -> Option<Language> {
        let parsed = Language::from_name(value.get_ref());
        if parsed.is_none() {
            self.push(RuleFileError::UnknownLanguage {
                value: value.get_ref().clone(),
                span: source_span(value.span()),
            });
        }
        parsed
    }

    /// Checks `query` and `language` against the rule type.
    fn query(
        &mut self,
        rule_type: Option<RuleType>,
        language_value: Option<&Spanned<String>>,
        language: Option<Language>,
        query: Option<Spanned<String>>,
        table: &Range<usize>,
    ) -> Option<Query> {
        let rule_type = rule_type?;
        if rule_type == RuleType::MachineLearning {
            if let Some(query) = &query {
                self.push(RuleFileError::UnexpectedQuery { span: source_span(query.span()) });
            }
            return None;
        }
        if rule_type.requires_query() {
            if language_value.is_none() {
                self.missing(
                    "language",
                    table,
                    format!(
                        "set the query language of this `{rule_type}` rule: language = \"{}\"",
                        rule_type.languages()[0]
                    ),
                );
            }
            if query.is_none() {
                self.missing("query", table, "write the query as query = '''\n...\n'''".to_owned());
            }
        }
        if let (Some(language), Some(value)) = (language, language_value)
            && !rule_type.languages().contains(&language)
        {
            let accepted: Vec<&str> = rule_type.languages().iter().map(|l| l.as_str()).collect();
            self.push(RuleFileError::LanguageMismatch {
                rule_type: rule_type.to_string(),
                language: language.to_string(),
                span: source_span(value.span()),
                help: format!(
                    "`{rule_type}` rules take language = \"{}\"",
                    accepted.join("\" or \"")
                ),
            });
        }
        let query = query?;
        let value_span = query.span();
        if query.get_ref().trim().is_empty() {
            self.push(RuleFileError::EmptyQuery { span: source_span(value_span.clone()) });
        }
        let offset = query_offset(self.text, value_span.start, query.get_ref());
        Some(Query {
            text: query.into_inner(),
            value_span: rule_span::Span::from_range(value_span),
            offset,
        })
    }

    fn from(&mut self, from: &Spanned<String>) -> Option<TimeSpan> {
        let parsed = TimeSpan::parse_relative_start(from.get_ref());
        if parsed.is_none() {
            self.push(RuleFileError::BadFrom {
                value: from.get_ref().clone(),
                span: source_span(from.span()),
            });
        }
        parsed
    }

    fn interval(&mut self, interval: &Spanned<String>) -> Option<TimeSpan> {
        let parsed = TimeSpan::parse_duration(interval.get_ref());
        if parsed.is_none() {
            self.push(RuleFileError::BadInterval {
                value: interval.get_ref().clone(),
                span: source_span(interval.span()),
            });
        }
        parsed
    }

    fn max_signals(&mut self, max_signals: &Spanned<i64>) -> Option<u32> {
        let value = *max_signals.get_ref();
        let parsed = u32::try_from(value).ok().filter(|v| *v > 0);
        match parsed {
            None => self.push(RuleFileError::BadMaxSignals {
                value,
                span: source_span(max_signals.span()),
            }),
            Some(value) if value > ALERTING_MAX_ALERTS => {
                self.push(RuleFileError::MaxSignalsLimit {
                    value,
                    span: source_span(max_signals.span()),
                });
            }
            Some(_) => {}
        }
        parsed
    }

    /// Kibana's `RuleVersion`: an integer from 1 (`common_attributes.schema.yaml`).
    fn version(&mut self, version: &Spanned<i64>) -> Option<u32> {
        let value = *version.get_ref();
        let parsed = u32::try_from(value).ok().filter(|v| *v > 0);
        if parsed.is_none() {
            self.push(RuleFileError::BadVersion { value, span: source_span(version.span()) });
        }
        parsed
    }

    fn index(&mut self, index: Spanned<Vec<Spanned<String>>>) -> Vec<String> {
        let span = index.span();
        let patterns = index.into_inner();
        if patterns.is_empty() {
            self.push(RuleFileError::BadIndexPattern {
                pattern: String::new(),
                reason: "no index pattern in the list",
                span: source_span(span),
            });
        }
        for pattern in &patterns {
            if let Some(reason) = index_pattern_problem(pattern.get_ref()) {
                self.push(RuleFileError::BadIndexPattern {
                    pattern: pattern.get_ref().clone(),
                    reason,
                    span: source_span(pattern.span()),
                });
            }
        }
        patterns.into_iter().map(Spanned::into_inner).collect()
    }

    fn bad_new_terms(&mut self, message: impl Into<String>, span: Range<usize>, help: &str) {
        self.push(RuleFileError::BadNewTerms {
            message: message.into(),
            span: source_span(span),
            help: help.to_owned(),
        });
    }

    /// Checks `[rule.new_terms]` (required for, and only read for, `new_terms` rules).
    fn new_terms(
        &mut self,
        rule_type: Option<RuleType>,
        raw: Option<Spanned<RawNewTerms>>,
        table: &Range<usize>,
    ) -> Option<NewTerms> {
        if rule_type != Some(RuleType::NewTerms) {
            return None;
        }
        let Some(raw) = raw else {
            self.bad_new_terms("a `new_terms` rule needs `[rule.new_terms]`", table.clone(), "add [rule.new_terms] with field = \"new_terms_fields\" and value = [\"host.id\", ...]");
            return None;
        };
        let span = raw.span();
        let raw = raw.into_inner();
        let fields = self.new_terms_fields(raw.field.as_ref(), raw.value, &span);
        let history = self.history_window_start(raw.history_window_start, &span);
        Some(NewTerms {
            fields: fields?,
            history_window_start: history.as_ref()?.0.clone(),
            history_window: history?.1,
        })
    }

    fn new_terms_fields(
        &mut self,
        field: Option<&Spanned<String>>,
        value: Option<Spanned<Vec<Spanned<String>>>>,
        table: &Range<usize>,
    ) -> Option<Vec<String>> {
        const FIELDS_HELP: &str =
            "write field = \"new_terms_fields\" and value = [\"host.id\", \"user.name\"]";
        match field {
            None => self.bad_new_terms("missing `field`", table.clone(), FIELDS_HELP),
            Some(field) if field.get_ref() != "new_terms_fields" => {
                self.bad_new_terms(
                    format!("`field` must be \"new_terms_fields\", not {:?}", field.get_ref()),
                    field.span(),
                    FIELDS_HELP,
                );
            }
            Some(_) => {}
        }
        let Some(value) = value else {
            self.bad_new_terms(
                "missing `value` (the new-terms fields)",
                table.clone(),
                FIELDS_HELP,
            );
            return None;
        };
        let span = value.span();
        let fields: Vec<Spanned<String>> = value.into_inner();
        let count = fields.len();
        if count == 0 || count > MAX_NEW_TERMS_FIELDS {
            self.bad_new_terms(
                format!("{count} new-terms fields (Kibana takes 1 to {MAX_NEW_TERMS_FIELDS})"),
                span,
                FIELDS_HELP,
            );
            return None;
        }
        for (i, field) in fields.iter().enumerate() {
            if field.get_ref().trim().is_empty() {
                self.bad_new_terms("empty field name", field.span(), FIELDS_HELP);
            } else if fields[..i].iter().any(|earlier| earlier.get_ref() == field.get_ref()) {
                self.bad_new_terms(
                    format!("field {:?} is listed twice", field.get_ref()),
                    field.span(),
                    "list each field once",
                );
            }
        }
        Some(fields.into_iter().map(Spanned::into_inner).collect())
    }

    fn history_window_start(
        &mut self,
        raw: Option<Spanned<Vec<Spanned<crate::raw::RawFieldValue>>>>,
        table: &Range<usize>,
    ) -> Option<(String, TimeSpan)> {
        const HISTORY_HELP: &str = "add [[rule.new_terms.history_window_start]] with field = \"history_window_start\" and value = \"now-14d\"";
        let Some(raw) = raw else {
            self.bad_new_terms("missing `history_window_start`", table.clone(), HISTORY_HELP);
            return None;
        };
        let span = raw.span();
        let mut entries = raw.into_inner();
        if entries.len() != 1 {
            self.bad_new_terms(
                format!("{} history windows (exactly one is needed)", entries.len()),
                span,
                HISTORY_HELP,
            );
            return None;
        }
        let entry = entries.pop()?;
        let entry_span = entry.span();
        let entry = entry.into_inner();
        if entry.field.as_ref().is_none_or(|f| f.get_ref() != "history_window_start") {
            let at = entry.field.as_ref().map_or(entry_span.clone(), Spanned::span);
            self.bad_new_terms("`field` must be \"history_window_start\"", at, HISTORY_HELP);
        }
        let Some(value) = entry.value else {
            self.bad_new_terms("missing `value` (e.g. \"now-14d\")", entry_span, HISTORY_HELP);
            return None;
        };
        let Some(window) = TimeSpan::parse_relative_start(value.get_ref()) else {
            self.bad_new_terms(
                format!("history window {:?} is not now-<N><s|m|h|d>", value.get_ref()),
                value.span(),
                HISTORY_HELP,
            );
            return None;
        };
        Some((value.into_inner(), window))
    }

    /// Checks `[rule.threshold]` (required for, and only read for, `threshold` rules).
    fn threshold(
        &mut self,
        rule_type: Option<RuleType>,
        raw: Option<Spanned<RawThreshold>>,
        table: &Range<usize>,
    ) -> Option<Threshold> {
        if rule_type != Some(RuleType::Threshold) {
            return None;
        }
        let Some(raw) = raw else {
            self.push(RuleFileError::BadTypeSettings {
                table: "threshold",
                message: "a `threshold` rule needs `[rule.threshold]`".into(),
                span: source_span(table.clone()),
            });
            return None;
        };
        let span = raw.span();
        let raw = raw.into_inner();
        let value = match raw.value {
            Some(value) if *value.get_ref() >= 1 => u64::try_from(*value.get_ref()).ok(),
            Some(value) => {
                self.push(RuleFileError::BadTypeSettings {
                    table: "threshold",
                    message: "`value` must be at least 1".into(),
                    span: source_span(value.span()),
                });
                None
            }
            None => {
                self.push(RuleFileError::BadTypeSettings {
                    table: "threshold",
                    message: "missing `value`".into(),
                    span: source_span(span),
                });
                None
            }
        };
        let cardinality = raw
            .cardinality
            .unwrap_or_default()
            .into_iter()
            .map(|c| Cardinality { field: c.field, value: u64::try_from(c.value).unwrap_or(0) })
            .collect();
        Some(Threshold {
            fields: raw.field.map(crate::raw::OneOrMany::into_vec).unwrap_or_default(),
            value: value?,
            cardinality,
        })
    }

    fn alert_suppression(&mut self, raw: Spanned<RawAlertSuppression>) -> Option<AlertSuppression> {
        let raw = raw.into_inner();
        let duration = match raw.duration {
            None => None,
            Some(duration) => {
                let unit = match duration.unit.get_ref().as_str() {
                    "s" => Some(TimeUnit::Seconds),
                    "m" => Some(TimeUnit::Minutes),
                    "h" => Some(TimeUnit::Hours),
                    _ => None,
                };
                let amount = u64::try_from(duration.value).ok().filter(|v| *v > 0);
                let (Some(unit), Some(amount)) = (unit, amount) else {
                    self.push(RuleFileError::BadTypeSettings {
                        table: "alert_suppression",
                        message: "`duration` needs unit \"s\", \"m\" or \"h\" and a positive value"
                            .into(),
                        span: source_span(duration.unit.span()),
                    });
                    return None;
                };
                Some(TimeSpan { amount, unit })
            }
        };
        Some(AlertSuppression {
            group_by: raw.group_by,
            duration,
            missing_fields_strategy: raw.missing_fields_strategy,
        })
    }
}
