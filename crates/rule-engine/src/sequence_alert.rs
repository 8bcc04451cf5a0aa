//! Kibana's alerts for an EQL sequence: one building-block alert per event and one shell
//! alert that ties them together.
//!
//! From Kibana's `build_alert_group_from_sequence.ts` (`security_solution` detection engine,
//! `rule_types/eql`) and `build_alert.ts`:
//! * each event of the sequence becomes an ordinary alert, plus
//!   `kibana.alert.building_block_type: "default"`, `kibana.alert.group.id` (the shell's id)
//!   and `kibana.alert.group.index` (its position in the sequence); field names from
//!   `common/field_maps/field_names.ts`;
//! * the shell alert starts from the intersection of the building blocks' documents (fields
//!   every building block has with the same value; arrays intersected, `objectArrayIntersection`),
//!   then gets the alert fields of a child of every building block: its ancestors are each
//!   building block's ancestors followed by the building block itself (`type: "signal"`,
//!   depth 1, `buildAncestors`), so its depth is 2; its reason is built from the intersection;
//!   its id hashes the ancestors' ids and indices with the rule (`generateAlertId`), and it is
//!   also the group id;
//! * missing-event placeholders (`![...]` terms) get no building block and take no part in
//!   the intersection (Kibana PR #235133, "Exclude missing events from EQL sequence alert
//!   generation logic").
//!
//! Deterministic stand-ins, as for single alerts (see `alert.rs`): the shell's `@timestamp`
//! is the time of the sequence's last event (the earliest moment it could be detected) and a
//! building block's id hashes the group's alert ids with its position; `rule` in the
//! ancestors is the `rule_id`.

use serde_json::{Map, Value, json};

use crate::alert::{
    Alert, AlertRule, AlertSource, Lineage, build_alert, insert_alert_fields, sha256_hex,
};
use crate::reason::alert_reason;
use crate::timestamp::EventTime;

/// The shell alert, then one building block per event of `events` (the sequence's present
/// events, in order), for rule `rule_position`. `time` is the shell's time.
pub(crate) fn build_sequence_alerts(
    rule_position: usize,
    rule: &AlertRule,
    events: &[AlertSource<'_>],
    time: Option<EventTime>,
) -> Vec<Alert> {
    let mut blocks: Vec<Alert> =
        events.iter().map(|&source| build_alert(rule_position, rule, source, None)).collect();
    let group_key: Vec<&str> = blocks.iter().map(|block| block.uuid.as_str()).collect();
    let block_ids: Vec<String> = (0..blocks.len())
        .map(|position| {
            sha256_hex(json!(["building_block", position, group_key]).to_string().as_bytes())
        })
        .collect();
    for (block, id) in blocks.iter_mut().zip(&block_ids) {
        block.uuid.clone_from(id);
        if let Value::Object(document) = &mut block.document {
            document.insert("kibana.alert.uuid".to_owned(), json!(id));
        }
    }
    let merged = blocks
        .iter()
        .map(|block| Some(block.document.clone()))
        .reduce(|left, right| intersect(left.as_ref()?, right.as_ref()?))
        .flatten();
    let mut shell = match merged {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    match time {
        Some(time) => {
            shell.insert("@timestamp".to_owned(), json!(time.to_iso_millis()));
        }
        None => {
            shell.shift_remove("@timestamp");
        }
    }
    shell.insert("event.kind".to_owned(), json!("signal"));
    // Kibana reads the original time from the first parent, here the first building block.
    match blocks.first().and_then(|block| block.document.get("@timestamp")) {
        Some(first) => shell.insert("kibana.alert.original_time".to_owned(), first.clone()),
        None => shell.shift_remove("kibana.alert.original_time"),
    };
    let mut ancestors = Vec::new();
    for (block, id) in blocks.iter().zip(&block_ids) {
        if let Some(Value::Array(own)) = block.document.get("kibana.alert.ancestors") {
            ancestors.extend(own.iter().cloned());
        }
        ancestors.push(json!({
            "id": id, "type": "signal", "index": "", "depth": 1, "rule": rule.rule_id,
        }));
    }
    let reason = alert_reason(&Value::Object(shell.clone()), &rule.name, &rule.severity);
    let group_id = group_id(&ancestors, &rule.rule_id);
    insert_alert_fields(&mut shell, rule, Lineage { ancestors, depth: 2, reason });
    shell.insert("kibana.alert.uuid".to_owned(), json!(group_id));
    shell.insert("kibana.alert.group.id".to_owned(), json!(group_id));

    for (position, block) in blocks.iter_mut().enumerate() {
        if let Value::Object(document) = &mut block.document {
            document.insert("kibana.alert.building_block_type".to_owned(), json!("default"));
            document.insert("kibana.alert.group.id".to_owned(), json!(group_id));
            document.insert("kibana.alert.group.index".to_owned(), json!(position));
        }
    }
    let shell = Alert { rule: rule_position, uuid: group_id, time, document: Value::Object(shell) };
    std::iter::once(shell).chain(blocks).collect()
}

/// Kibana's `generateAlertId`: SHA-256 of every ancestor's id and index, then the rule.
fn group_id(ancestors: &[Value], rule_id: &str) -> String {
    let mut key = String::new();
    for ancestor in ancestors {
        key.push_str(ancestor["id"].as_str().unwrap_or_default());
        key.push_str(ancestor["index"].as_str().unwrap_or_default());
    }
    key.push_str(rule_id);
    sha256_hex(key.as_bytes())
}

/// Kibana's `objectPairIntersection`: the fields both values have, recursively; equal
/// scalars stay; arrays (or an array and a scalar) keep the scalar elements found in both,
/// in the first one's order, once each (lodash `intersection`; objects inside arrays never
/// compare equal across documents); anything else, or an object left empty, is dropped
/// (`None`).
fn intersect(left: &Value, right: &Value) -> Option<Value> {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            let mut common = Map::new();
            for (key, value) in a {
                if let Some(other) = b.get(key)
                    && let Some(both) = intersect(value, other)
                {
                    common.insert(key.clone(), both);
                }
            }
            (!common.is_empty()).then_some(Value::Object(common))
        }
        (Value::Array(a), Value::Array(b)) => Some(array_intersection(a, b)),
        (Value::Array(a), scalar) => Some(array_intersection(a, std::slice::from_ref(scalar))),
        (scalar, Value::Array(b)) => Some(array_intersection(std::slice::from_ref(scalar), b)),
        (Value::Object(_), _) | (_, Value::Object(_)) => None,
        (a, b) => (a == b).then(|| a.clone()),
    }
}

fn array_intersection(left: &[Value], right: &[Value]) -> Value {
    let mut common: Vec<Value> = Vec::new();
    for value in left {
        let scalar = !matches!(value, Value::Array(_) | Value::Object(_));
        if scalar && right.contains(value) && !common.contains(value) {
            common.push(value.clone());
        }
    }
    Value::Array(common)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> AlertRule {
        AlertRule {
            rule_id: "seq-1".to_owned(),
            name: "Cmd then file".to_owned(),
            rule_type: "eql".to_owned(),
            severity: "high".to_owned(),
            risk_score: 73,
            fields: Map::new(),
            parameters: None,
            building_block_type: None,
        }
    }

    #[test]
    fn intersection_follows_kibana() {
        let a = json!({"host": {"name": "h1", "ip": ["1.1.1.1", "2.2.2.2"]}, "x": 1, "o": {"p": 1}, "t": [{"k": 1}]});
        let b = json!({"host": {"name": "h1", "ip": "2.2.2.2"}, "x": 2, "o": {"p": 2}, "t": [{"k": 1}]});
        assert_eq!(
            intersect(&a, &b),
            Some(json!({"host": {"name": "h1", "ip": ["2.2.2.2"]}, "t": []}))
        );
        assert_eq!(intersect(&json!({"a": 1}), &json!({"b": 1})), None);
    }

    #[test]
    fn shell_and_building_blocks_of_a_sequence() {
        let first = json!({
            "@timestamp": "2024-05-01T10:00:00Z",
            "event": {"category": ["process"], "type": ["start"]},
            "host": {"name": "ws1"},
            "process": {"entity_id": "p1", "name": "cmd.exe"}
        });
        let second = json!({
            "@timestamp": "2024-05-01T10:00:03Z",
            "event": {"category": ["file"], "type": ["creation"]},
            "host": {"name": "ws1"},
            "process": {"entity_id": "p1", "name": "cmd.exe"},
            "file": {"name": "a.job"}
        });
        let times = [
            EventTime::parse("2024-05-01T10:00:00Z").ok(),
            EventTime::parse("2024-05-01T10:00:03Z").ok(),
        ];
        let sources = [
            AlertSource { document: &first, index: Some("logs-a"), id: "e1", time: times[0] },
            AlertSource { document: &second, index: Some("logs-a"), id: "e2", time: times[1] },
        ];
        let alerts = build_sequence_alerts(0, &rule(), &sources, times[1]);
        let documents: Vec<&Value> = alerts.iter().map(|alert| &alert.document).collect();
        insta::assert_json_snapshot!(documents);
        let group = &alerts[0].uuid;
        for (position, block) in alerts[1..].iter().enumerate() {
            assert_eq!(block.document["kibana.alert.group.id"], json!(group));
            assert_eq!(block.document["kibana.alert.group.index"], json!(position));
            assert_eq!(block.document["kibana.alert.building_block_type"], json!("default"));
        }
        assert!(alerts[0].document.get("kibana.alert.building_block_type").is_none());
    }
}
