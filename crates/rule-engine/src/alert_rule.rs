//! What an alert says about its rule: the `kibana.alert.rule.*` fields.
//!
//! From Kibana's `buildAlertFields` (`security_solution/server/lib/detection_engine/
//! rule_types/factories/utils/build_alert.ts`) and the alerting framework's common fields
//! (`rule_registry/server/utils/get_common_alert_fields.ts`): the rule's settings, its uuid
//! (see `alert_ids.rs`), `version` (the rule file's, else 1: "for custom rules it is set to 1
//! when the rule is created", `RuleVersion` in `common_attributes.schema.yaml`), `revision` 0
//! (a rule as installed), the alerting rule type id and name, and `producer` / `consumer`
//! `siem` (`SERVER_APP_ID`). Not known to a replay, so left out: `created_at`, `created_by`,
//! `updated_at`, `updated_by`, `immutable` (whether it was installed as a prebuilt rule),
//! `meta`, `timeline_id`, `timeline_title`, `namespace`, `throttle`; the rule's
//! `risk_score_mapping` and `severity_mapping` are not read (nor their overrides of an
//! alert's severity and risk score).

use rule_model::{AttackEntry, Rule, RuleType, Threat};
use serde_json::{Map, Value, json};

use crate::alert::AlertRule;
use crate::alert_ids::rule_uuid;

/// Kibana's security solution app id (`SERVER_APP_ID` in `security_solution/common/constants.ts`):
/// the producer and consumer of its rules.
const SECURITY_APP_ID: &str = "siem";

/// The rule fields every alert carries (`kibana.alert.rule.*`); `indices` are the index
/// patterns the rule searches (its own, else Kibana's default ones).
pub(crate) fn alert_rule(rule: &Rule, indices: &[&str], with_parameters: bool) -> AlertRule {
    let (rule_type_id, category) = kibana_rule_type(rule.rule_type);
    let mut fields = Map::new();
    fields.insert("description".to_owned(), json!(rule.description));
    fields.insert("author".to_owned(), json!(rule.author));
    if let Some(license) = &rule.license {
        fields.insert("license".to_owned(), json!(license));
    }
    fields.insert("from".to_owned(), json!(format!("now-{}", rule.lookback())));
    fields.insert("to".to_owned(), json!("now"));
    fields.insert("interval".to_owned(), json!(rule.schedule().to_string()));
    fields.insert("indices".to_owned(), json!(indices));
    fields.insert("tags".to_owned(), json!(rule.tags));
    fields.insert("references".to_owned(), json!(rule.references));
    fields.insert("false_positives".to_owned(), json!(rule.false_positives));
    fields.insert("max_signals".to_owned(), json!(rule.alerts_per_run()));
    if let Some(field) = &rule.timestamp_override {
        fields.insert("timestamp_override".to_owned(), json!(field));
    }
    if let Some(field) = &rule.rule_name_override {
        fields.insert("rule_name_override".to_owned(), json!(field));
    }
    if let Some(note) = &rule.note {
        fields.insert("note".to_owned(), json!(note));
    }
    fields.insert("threat".to_owned(), Value::Array(rule.threat.iter().map(threat_json).collect()));
    // A rule file brings no actions or exception lists; a rule that runs is enabled.
    fields.insert("actions".to_owned(), json!([]));
    fields.insert("exceptions_list".to_owned(), json!([]));
    fields.insert("enabled".to_owned(), json!(true));
    fields.insert("version".to_owned(), json!(rule.version.unwrap_or(1)));
    fields.insert("revision".to_owned(), json!(0));
    fields.insert("rule_type_id".to_owned(), json!(rule_type_id));
    fields.insert("category".to_owned(), json!(category));
    fields.insert("producer".to_owned(), json!(SECURITY_APP_ID));
    fields.insert("consumer".to_owned(), json!(SECURITY_APP_ID));
    AlertRule {
        rule_id: rule.rule_id.clone(),
        uuid: rule_uuid(&rule.rule_id),
        name: rule.name.clone(),
        rule_type: rule.rule_type.to_string(),
        severity: rule.severity.to_string(),
        risk_score: rule.risk_score,
        fields,
        parameters: with_parameters.then(|| parameters_json(rule)),
        building_block_type: rule.building_block_type.clone(),
    }
}

/// Kibana's alerting rule type of a security rule type: its id and its name (which alerts
/// carry as `kibana.alert.rule.category`, `getCommonAlertFields`: `options.rule.ruleTypeName`).
/// Ids from `kbn-securitysolution-rules/src/rule_type_constants.ts`, names from each type's
/// `create_*_alert_type.ts` (`security_solution/server/lib/detection_engine/rule_types/`).
fn kibana_rule_type(rule_type: RuleType) -> (&'static str, &'static str) {
    match rule_type {
        RuleType::Eql => ("siem.eqlRule", "Event Correlation Rule"),
        RuleType::Query => ("siem.queryRule", "Custom Query Rule"),
        RuleType::SavedQuery => ("siem.savedQueryRule", "Saved Query Rule"),
        RuleType::NewTerms => ("siem.newTermsRule", "New Terms Rule"),
        RuleType::Threshold => ("siem.thresholdRule", "Threshold Rule"),
        RuleType::ThreatMatch => ("siem.indicatorRule", "Indicator Match Rule"),
        RuleType::MachineLearning => ("siem.mlRule", "Machine Learning Rule"),
        RuleType::Esql => ("siem.esqlRule", "ES|QL Rule"),
    }
}

/// Kibana's threat shape: `{framework, tactic, technique: [{.., subtechnique: [..]}]}`.
fn threat_json(threat: &Threat) -> Value {
    let techniques: Vec<Value> = threat
        .techniques
        .iter()
        .map(|technique| {
            let mut entry = entry_json(&technique.entry);
            let subtechniques: Vec<Value> =
                technique.subtechniques.iter().map(entry_json).collect();
            if let Value::Object(map) = &mut entry {
                map.insert("subtechnique".to_owned(), Value::Array(subtechniques));
            }
            entry
        })
        .collect();
    json!({
        "framework": threat.framework,
        "tactic": entry_json(&threat.tactic),
        "technique": techniques,
    })
}

fn entry_json(entry: &AttackEntry) -> Value {
    json!({"id": entry.id, "name": entry.name, "reference": entry.reference})
}

/// `kibana.alert.rule.parameters`: the rule's detection parameters in Kibana's snake case.
fn parameters_json(rule: &Rule) -> Value {
    let mut parameters = Map::new();
    parameters.insert("rule_id".to_owned(), json!(rule.rule_id));
    parameters.insert("type".to_owned(), json!(rule.rule_type.to_string()));
    if let Some(language) = rule.language {
        parameters.insert("language".to_owned(), json!(language.to_string()));
    }
    if let Some(query) = rule.query_text() {
        parameters.insert("query".to_owned(), json!(query));
    }
    parameters.insert("index".to_owned(), json!(rule.index));
    parameters.insert("severity".to_owned(), json!(rule.severity.to_string()));
    parameters.insert("risk_score".to_owned(), json!(rule.risk_score));
    parameters.insert("from".to_owned(), json!(format!("now-{}", rule.lookback())));
    if let Some(field) = &rule.timestamp_override {
        parameters.insert("timestamp_override".to_owned(), json!(field));
    }
    if let Some(threshold) = &rule.threshold {
        let cardinality: Vec<Value> = threshold
            .cardinality
            .iter()
            .map(|c| json!({"field": c.field, "value": c.value}))
            .collect();
        parameters.insert(
            "threshold".to_owned(),
            json!({"field": threshold.fields, "value": threshold.value, "cardinality": cardinality}),
        );
    }
    if let Some(new_terms) = &rule.new_terms {
        parameters.insert("new_terms_fields".to_owned(), json!(new_terms.fields));
        parameters.insert("history_window_start".to_owned(), json!(new_terms.history_window_start));
    }
    parameters
        .insert("threat".to_owned(), Value::Array(rule.threat.iter().map(threat_json).collect()));
    Value::Object(parameters)
}
