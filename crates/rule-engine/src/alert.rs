//! Kibana's alert document: the source event plus the `kibana.alert.*` fields.
//!
//! Field set and meaning follow Kibana's `build_alert.ts` (`buildAlertFields`),
//! `transform_hit_to_alert.ts` and `wrap_new_terms_alerts.ts` (`security_solution` detection
//! engine), and the fields the alerting framework adds to every alert (`augmentAlerts` in
//! `rule_registry/server/utils/create_persistence_rule_type_wrapper.ts`, with
//! `get_common_alert_fields.ts`); the field names are those of the technical and security
//! alert field maps (`kbn-alerts-as-data-utils` `alert_field_map.ts` and
//! `legacy_alert_field_map.ts`, `security_solution/common/field_maps`):
//!
//! * the source event's fields, its `event.kind` replaced by `signal` (the original stays in
//!   `kibana.alert.original_event.kind`) and its `@timestamp` by the alert's;
//! * `@timestamp`: the time of the rule execution that raised the alert (Kibana stamps the
//!   alert when it builds it, during the execution); `kibana.alert.intended_timestamp`,
//!   `kibana.alert.start`, `kibana.alert.last_detected` and
//!   `kibana.alert.rule.execution.timestamp` are that time too (a scheduled execution,
//!   `kibana.alert.rule.execution.type: scheduled`), and `kibana.alert.rule.execution.uuid`
//!   names the execution (see `alert_ids.rs`);
//! * `kibana.alert.original_time` (the first source document's own `@timestamp`, JavaScript ISO
//!   spelling), `kibana.alert.original_event.*` (every `event.*` field of the source),
//!   ancestors, status, workflow status, tags and assignees, depth, reason, severity, risk
//!   score, `kibana.space_ids` (the `default` space), the rule's fields under
//!   `kibana.alert.rule.*` (see `alert_rule.rs`) and `kibana.alert.uuid`.
//!
//! Left out, as a replay cannot know them: `kibana.version` (the Kibana version) and
//! `kibana.alert.url` (it needs Kibana's public URL).

use serde_json::{Map, Value, json};

use crate::alert_ids::{event_alert_uuid, execution_uuid};
use crate::reason::alert_reason;
use crate::timestamp::EventTime;

/// The Kibana space alerts are written in (`kibana.space_ids`).
const SPACE_ID: &str = "default";

/// What an alert says about its rule.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRule {
    /// `rule_id`.
    pub rule_id: String,
    /// `kibana.alert.rule.uuid` (see `alert_ids.rs`).
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// `eql`, `query`, `new_terms`, ...
    pub rule_type: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// 0 to 100.
    pub risk_score: u8,
    /// Further `kibana.alert.rule.<key>` fields, in order (description, tags, threat, ...).
    pub fields: Map<String, Value>,
    /// `kibana.alert.rule.parameters`, when wanted.
    pub parameters: Option<Value>,
    /// The rule's `building_block_type` (its alerts are building blocks), if set.
    pub building_block_type: Option<String>,
}

impl AlertRule {
    /// The rule's index patterns joined by `,` (Kibana's `inputIndex.join(',')`, the index of
    /// a threshold alert's synthetic parent).
    pub(crate) fn input_index(&self) -> String {
        let patterns: Vec<&str> = self
            .fields
            .get("indices")
            .and_then(Value::as_array)
            .map(|patterns| patterns.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        patterns.join(",")
    }
}

/// Where the alerting event came from.
#[derive(Clone, Copy, Debug)]
pub struct AlertSource<'a> {
    /// The event document.
    pub document: &'a Value,
    /// Its index, when known.
    pub index: Option<&'a str>,
    /// Its id: the hit's `_id`, else its line number.
    pub id: &'a str,
    /// The event time the rule used.
    pub time: Option<EventTime>,
}

/// One alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Position of the rule in the engine's rule list.
    pub rule: usize,
    /// `kibana.alert.uuid`.
    pub uuid: String,
    /// The event time as the rule reads it (`timestamp_override`, else `@timestamp`; for a
    /// group of events, the latest), for ordering and showing output.
    pub time: Option<EventTime>,
    /// The whole alert document.
    pub document: Value,
}

/// Builds the alert of `rule` (at position `rule_position`) for `source`, raised by the
/// execution at `executed_at` (`None`: no execution time is known, the alert has no
/// `@timestamp`); `new_terms` is the new term of a `new_terms` rule.
pub fn build_alert(
    rule_position: usize,
    rule: &AlertRule,
    source: AlertSource<'_>,
    new_terms: Option<&[String]>,
    executed_at: Option<EventTime>,
) -> Alert {
    let uuid = event_alert_uuid(&rule.rule_id, source, new_terms);
    let mut alert = Map::new();

    if let Some(at) = executed_at {
        alert.insert("@timestamp".to_owned(), json!(at.to_iso_millis()));
    }
    if let Value::Object(fields) = source.document {
        for (key, value) in fields {
            if key == "@timestamp" || key == "event.kind" {
                continue;
            }
            let mut value = value.clone();
            if key == "event"
                && let Value::Object(event) = &mut value
            {
                event.shift_remove("kind");
            }
            alert.insert(key.clone(), value);
        }
    }
    alert.insert("event.kind".to_owned(), json!("signal"));
    if let Some(time) = original_time(source.document) {
        alert.insert("kibana.alert.original_time".to_owned(), json!(time.to_iso_millis()));
    }
    for (key, value) in original_event_fields(source.document) {
        alert.insert(format!("kibana.alert.original_event.{key}"), value);
    }
    let lineage = Lineage {
        ancestors: vec![event_ancestor(source)],
        depth: 1,
        reason: alert_reason(source.document, &rule.name, &rule.severity),
    };
    insert_alert_fields(&mut alert, rule, lineage, executed_at);
    if let Some(terms) = new_terms {
        alert.insert("kibana.alert.new_terms".to_owned(), json!(terms));
    }
    alert.insert("kibana.alert.uuid".to_owned(), json!(uuid));

    Alert { rule: rule_position, uuid, time: source.time, document: Value::Object(alert) }
}

/// Where an alert comes from and what it says about it.
pub(crate) struct Lineage {
    /// `kibana.alert.ancestors`: the parents and their own ancestors.
    pub(crate) ancestors: Vec<Value>,
    /// `kibana.alert.depth`: one more than the deepest parent.
    pub(crate) depth: u32,
    /// `kibana.alert.reason`.
    pub(crate) reason: String,
}

/// The ancestor entry of a source event (Kibana's `buildParent` for an event: depth 0).
pub(crate) fn event_ancestor(source: AlertSource<'_>) -> Value {
    let mut ancestor = Map::new();
    ancestor.insert("id".to_owned(), json!(source.id));
    ancestor.insert("type".to_owned(), json!("event"));
    ancestor.insert("index".to_owned(), json!(source.index.unwrap_or_default()));
    ancestor.insert("depth".to_owned(), json!(0));
    Value::Object(ancestor)
}

/// The `kibana.*` fields every alert has (Kibana's `buildAlertFields` and the framework's
/// common fields), after the source fields; `executed_at` is the execution that raised it.
pub(crate) fn insert_alert_fields(
    alert: &mut Map<String, Value>,
    rule: &AlertRule,
    lineage: Lineage,
    executed_at: Option<EventTime>,
) {
    alert.insert("kibana.space_ids".to_owned(), json!([SPACE_ID]));
    alert.insert("kibana.alert.ancestors".to_owned(), Value::Array(lineage.ancestors));
    alert.insert("kibana.alert.status".to_owned(), json!("active"));
    alert.insert("kibana.alert.workflow_status".to_owned(), json!("open"));
    alert.insert("kibana.alert.workflow_tags".to_owned(), json!([]));
    alert.insert("kibana.alert.workflow_assignee_ids".to_owned(), json!([]));
    alert.insert("kibana.alert.depth".to_owned(), json!(lineage.depth));
    alert.insert("kibana.alert.reason".to_owned(), json!(lineage.reason));
    if let Some(kind) = &rule.building_block_type {
        alert.insert("kibana.alert.building_block_type".to_owned(), json!(kind));
    }
    alert.insert("kibana.alert.severity".to_owned(), json!(rule.severity));
    alert.insert("kibana.alert.risk_score".to_owned(), json!(rule.risk_score));
    if let Some(at) = executed_at {
        let stamp = json!(at.to_iso_millis());
        for key in [
            "kibana.alert.intended_timestamp",
            "kibana.alert.start",
            "kibana.alert.last_detected",
            "kibana.alert.rule.execution.timestamp",
        ] {
            alert.insert(key.to_owned(), stamp.clone());
        }
        let execution = execution_uuid(&rule.uuid, at);
        alert.insert("kibana.alert.rule.execution.uuid".to_owned(), json!(execution));
        alert.insert("kibana.alert.rule.execution.type".to_owned(), json!("scheduled"));
    }
    alert.insert("kibana.alert.rule.uuid".to_owned(), json!(rule.uuid));
    alert.insert("kibana.alert.rule.rule_id".to_owned(), json!(rule.rule_id));
    alert.insert("kibana.alert.rule.name".to_owned(), json!(rule.name));
    alert.insert("kibana.alert.rule.type".to_owned(), json!(rule.rule_type));
    alert.insert("kibana.alert.rule.severity".to_owned(), json!(rule.severity));
    alert.insert("kibana.alert.rule.risk_score".to_owned(), json!(rule.risk_score));
    for (key, value) in &rule.fields {
        alert.insert(format!("kibana.alert.rule.{key}"), value.clone());
    }
    if let Some(kind) = &rule.building_block_type {
        alert.insert("kibana.alert.rule.building_block_type".to_owned(), json!(kind));
    }
    if let Some(parameters) = &rule.parameters {
        alert.insert("kibana.alert.rule.parameters".to_owned(), parameters.clone());
    }
}

/// The document's own `@timestamp` (Kibana's `original_time` ignores `timestamp_override`).
pub(crate) fn original_time(document: &Value) -> Option<EventTime> {
    let value = crate::fields::first_value(document, "@timestamp")?;
    EventTime::from_json(value).ok().flatten()
}

/// Every `event.*` leaf of the source as `(name after "event.", value)`; arrays stay arrays.
fn original_event_fields(document: &Value) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    if let Value::Object(fields) = document {
        for (key, value) in fields {
            if key == "event" {
                flatten_into("", value, &mut found);
            } else if let Some(rest) = key.strip_prefix("event.") {
                flatten_into(rest, value, &mut found);
            }
        }
    }
    found
}

/// Flattens nested objects under `prefix` into dotted names.
fn flatten_into(prefix: &str, value: &Value, found: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                flatten_into(&name, child, found);
            }
        }
        leaf if !prefix.is_empty() => found.push((prefix.to_owned(), leaf.clone())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> AlertRule {
        let mut fields = Map::new();
        fields.insert("description".to_owned(), json!("A job file."));
        fields.insert(
            "threat".to_owned(),
            json!([{"framework": "MITRE ATT&CK", "tactic": {"id": "TA0003", "name": "Persistence", "reference": "https://attack.mitre.org/tactics/TA0003/"}, "technique": []}]),
        );
        AlertRule {
            rule_id: "rule-1".to_owned(),
            uuid: crate::alert_ids::rule_uuid("rule-1"),
            name: "Job Created".to_owned(),
            rule_type: "eql".to_owned(),
            severity: "medium".to_owned(),
            risk_score: 47,
            fields,
            parameters: None,
            building_block_type: None,
        }
    }

    fn event() -> Value {
        json!({
            "@timestamp": "2024-05-01T10:00:00Z",
            "event": {"category": ["file"], "type": ["creation"], "kind": "event", "ingested": "2024-05-01T10:00:05Z"},
            "event.action": "creation",
            "file": {"name": "a.job"},
            "host": {"name": "ws1"}
        })
    }

    #[test]
    fn alert_document_shape() {
        let document = event();
        let time = EventTime::parse("2024-05-01T10:00:05Z").ok();
        let source = AlertSource {
            document: &document,
            index: Some("logs-endpoint.events.file-default"),
            id: "abc",
            time,
        };
        let executed = EventTime::parse("2024-05-01T10:05:00Z").ok();
        let alert = build_alert(0, &rule(), source, None, executed);
        assert_eq!(alert.time, time);
        insta::assert_json_snapshot!(alert.document);
    }

    #[test]
    fn uuid_is_deterministic_and_depends_on_rule_event_and_term() {
        let document = event();
        let source = AlertSource { document: &document, index: None, id: "1", time: None };
        let first = build_alert(0, &rule(), source, None, None);
        let again = build_alert(0, &rule(), source, None, None);
        assert_eq!(first.uuid, again.uuid);
        assert_eq!(first.uuid.len(), 64);
        let other_id = AlertSource { id: "2", ..source };
        assert_ne!(first.uuid, build_alert(0, &rule(), other_id, None, None).uuid);
        let term = ["h1".to_owned()];
        assert_ne!(first.uuid, build_alert(0, &rule(), source, Some(&term), None).uuid);
        let mut other_rule = rule();
        other_rule.rule_id = "rule-2".to_owned();
        assert_ne!(first.uuid, build_alert(0, &other_rule, source, None, None).uuid);
    }

    #[test]
    fn event_without_time_keeps_its_fields_and_has_no_original_time() {
        let document = json!({"file": {"name": "x"}});
        let source = AlertSource { document: &document, index: None, id: "7", time: None };
        let alert = build_alert(0, &rule(), source, Some(&["v".to_owned()]), None);
        let fields = alert.document.as_object().unwrap();
        assert!(!fields.contains_key("@timestamp"));
        assert!(!fields.contains_key("kibana.alert.rule.execution.uuid"));
        assert!(!fields.contains_key("kibana.alert.original_time"));
        assert_eq!(fields["kibana.alert.new_terms"], json!(["v"]));
        assert_eq!(fields["file"], json!({"name": "x"}));
    }
}
