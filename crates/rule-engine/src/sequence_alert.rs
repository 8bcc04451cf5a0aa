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
//!   generation logic");
//! * the ids are Kibana's hashes (`generateAlertId`, `generateBuildingBlockIds`; see
//!   `alert_ids.rs`), and `rule` in the ancestors is the rule's uuid (`buildParent`);
//! * every alert of the group is stamped with the execution that found it (`@timestamp`,
//!   see `alert.rs`); the shell's `kibana.alert.original_time` is read, as Kibana does, from
//!   its first parent, the first building block, whose `@timestamp` is that execution time.
//!
//! EQL samples come back from Elasticsearch in the same shape (`hits.sequences`) and Kibana
//! wraps them the same way (`wrapSequences` in `eql.ts`), so sample rules use this too.

use serde_json::{Map, Value, json};

use crate::alert::{
    Alert, AlertRule, AlertSource, Lineage, build_alert, insert_alert_fields, original_time,
};
use crate::alert_ids::{building_block_ids, group_id};
use crate::reason::alert_reason;
use crate::timestamp::EventTime;

/// The shell alert, then one building block per event of `events` (the sequence's present
/// events, in order), for rule `rule_position`, found by the execution at `executed_at`.
/// `time` is the shell's event time (for ordering output).
pub(crate) fn build_sequence_alerts(
    rule_position: usize,
    rule: &AlertRule,
    events: &[AlertSource<'_>],
    time: Option<EventTime>,
    executed_at: Option<EventTime>,
) -> Vec<Alert> {
    let mut blocks: Vec<Alert> = events
        .iter()
        .map(|&source| build_alert(rule_position, rule, source, None, executed_at))
        .collect();
    let block_ancestors: Vec<&[Value]> = blocks
        .iter()
        .map(|block| match block.document.get("kibana.alert.ancestors") {
            Some(Value::Array(own)) => own.as_slice(),
            _ => &[],
        })
        .collect();
    let block_ids = building_block_ids(&block_ancestors, &rule.uuid);
    let mut ancestors = Vec::new();
    for (own, id) in block_ancestors.iter().zip(&block_ids) {
        ancestors.extend(own.iter().cloned());
        ancestors.push(json!({
            "id": id, "type": "signal", "index": "", "depth": 1, "rule": rule.uuid,
        }));
    }
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
    match executed_at {
        Some(at) => shell.insert("@timestamp".to_owned(), json!(at.to_iso_millis())),
        None => shell.shift_remove("@timestamp"),
    };
    shell.insert("event.kind".to_owned(), json!("signal"));
    match blocks.first().and_then(|block| original_time(&block.document)) {
        Some(first) => {
            shell.insert("kibana.alert.original_time".to_owned(), json!(first.to_iso_millis()))
        }
        None => shell.shift_remove("kibana.alert.original_time"),
    };
    let reason = alert_reason(&Value::Object(shell.clone()), &rule.name, &rule.severity);
    let group_id = group_id(&ancestors, &rule.uuid);
    insert_alert_fields(&mut shell, rule, Lineage { ancestors, depth: 2, reason }, executed_at);
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
            uuid: crate::alert_ids::rule_uuid("seq-1"),
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
        let executed = EventTime::parse("2024-05-01T10:05:00Z").ok();
        let alerts = build_sequence_alerts(0, &rule(), &sources, times[1], executed);
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
