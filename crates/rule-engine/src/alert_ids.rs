//! The ids an alert carries: Kibana's hashes where a replay can compute them, and
//! deterministic stand-ins where Kibana draws random ones.
//!
//! * `kibana.alert.rule.uuid` is the rule's saved-object id, a random UUID v4 Kibana draws when
//!   the rule is created (`RuleObjectId` in `common_attributes.schema.yaml`; alerts get it from
//!   `getCommonAlertFields` in `rule_registry/server/utils/get_common_alert_fields.ts` and
//!   `buildAlertFields` in `security_solution/.../factories/utils/build_alert.ts`). Here it is
//!   the UUID v5 of the URL namespace and `warden:rule:<rule_id>`: the same rule always gets the
//!   same uuid, two rules never share one.
//! * `kibana.alert.rule.execution.uuid` is the alerting framework's random id of one execution
//!   (`options.executionId`). Here it is the UUID v5 of the rule's uuid (as namespace) and the
//!   execution time in nanoseconds since the epoch.
//! * A sequence's shell id is Kibana's `generateAlertId` (`build_alert.ts`): SHA-256 of every
//!   ancestor's id and index, then the rule's uuid; its building blocks' ids are Kibana's
//!   `generateBuildingBlockIds` (`generate_building_block_ids.ts`): SHA-256 of, for every
//!   building block, its ancestors' ids and indices and the rule's uuid, then the block's
//!   position.
//! * A threshold alert's parent is Kibana's synthetic hit: its id `calculateThresholdSignalUuid`
//!   ([`threshold_parent_id`]), its index the rule's index patterns joined by `,`.
//! * A single event's alert id: Kibana hashes the event's index, `_id` and `_version` with the
//!   space and rule (`wrap_hits_factory.ts`); `_version` is rarely in the input and an event
//!   without `_id` is named by its line number, so here the hash is of the rule id, the
//!   event's index, id and content, and the new term.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::alert::AlertSource;
use crate::timestamp::EventTime;

/// `kibana.alert.rule.uuid` of the rule `rule_id` (see the module doc).
pub fn rule_uuid(rule_id: &str) -> String {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("warden:rule:{rule_id}").as_bytes()).to_string()
}

/// `kibana.alert.rule.execution.uuid` of the execution at `at` of the rule with `rule_uuid`
/// (see the module doc).
pub fn execution_uuid(rule_uuid: &str, at: EventTime) -> String {
    let namespace = Uuid::parse_str(rule_uuid).unwrap_or(Uuid::NAMESPACE_URL);
    Uuid::new_v5(&namespace, at.as_nanos().to_string().as_bytes()).to_string()
}

/// The namespace of `calculateThresholdSignalUuid`'s UUID v5 (`threshold/utils.ts`).
const THRESHOLD_NAMESPACE: Uuid = uuid::uuid!("0684ec03-7201-4ee0-8ee0-3a3f6b2479b2");

/// The id of a threshold alert's synthetic parent, Kibana's `calculateThresholdSignalUuid`
/// (`security_solution/.../rule_types/threshold/utils.ts`, called by
/// `transformBucketIntoHit` in `bulk_create_threshold_signals.ts`): the UUID v5 of the rule
/// id, the execution's start (ISO), the threshold fields joined by `,` and the group's values
/// sorted and joined by `,`. (JavaScript sorts by UTF-16 code units, here by UTF-8 bytes:
/// the same order outside the astral planes.)
pub fn threshold_parent_id(
    rule_id: &str,
    started_at: EventTime,
    fields: &[String],
    values: &[String],
) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let base =
        format!("{rule_id}{}{}{}", started_at.to_iso_millis(), fields.join(","), sorted.join(","));
    Uuid::new_v5(&THRESHOLD_NAMESPACE, base.as_bytes()).to_string()
}

/// The id of the alert of `rule_id` for one event (and `new_terms`): SHA-256 (hex) of the rule
/// id, the event's index, id and content, and the new term.
pub(crate) fn event_alert_uuid(
    rule_id: &str,
    source: AlertSource<'_>,
    new_terms: Option<&[String]>,
) -> String {
    let key = json!([
        rule_id,
        source.index.unwrap_or_default(),
        source.id,
        source.document,
        new_terms.unwrap_or_default(),
    ]);
    sha256_hex(key.to_string().as_bytes())
}

/// Kibana's `generateAlertId`: SHA-256 of every ancestor's id and index, then the rule's uuid.
pub(crate) fn group_id(ancestors: &[Value], rule_uuid: &str) -> String {
    let mut key = ancestor_key(ancestors);
    key.push_str(rule_uuid);
    sha256_hex(key.as_bytes())
}

/// Kibana's `generateBuildingBlockIds`: per building block (given by its ancestors), SHA-256
/// of every block's ancestors' ids and indices each followed by the rule's uuid, then the
/// block's position.
pub(crate) fn building_block_ids(blocks: &[&[Value]], rule_uuid: &str) -> Vec<String> {
    let mut base = String::new();
    for ancestors in blocks {
        base.push_str(&ancestor_key(ancestors));
        base.push_str(rule_uuid);
    }
    (0..blocks.len()).map(|position| sha256_hex(format!("{base}{position}").as_bytes())).collect()
}

/// The ids and indices of `ancestors`, concatenated.
fn ancestor_key(ancestors: &[Value]) -> String {
    let mut key = String::new();
    for ancestor in ancestors {
        key.push_str(ancestor["id"].as_str().unwrap_or_default());
        key.push_str(ancestor["index"].as_str().unwrap_or_default());
    }
    key
}

/// The SHA-256 digest of `bytes` in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_and_execution_uuids_are_stable_version_5_uuids() {
        let rule = rule_uuid("1327384f-00f3-44d5-9a8c-2373ba071e92");
        assert_eq!(rule, rule_uuid("1327384f-00f3-44d5-9a8c-2373ba071e92"));
        assert_ne!(rule, rule_uuid("another"));
        assert_eq!(Uuid::parse_str(&rule).unwrap().get_version_num(), 5);
        let at = EventTime::parse("2025-07-10T09:05:00Z").unwrap();
        let execution = execution_uuid(&rule, at);
        assert_eq!(execution, execution_uuid(&rule, at));
        assert_ne!(execution, execution_uuid(&rule, EventTime::from_nanos(at.as_nanos() + 1)));
        assert_ne!(execution, execution_uuid(&rule_uuid("another"), at));
        assert_eq!(Uuid::parse_str(&execution).unwrap().get_version_num(), 5);
    }

    #[test]
    fn threshold_parent_ids_are_kibanas() {
        // The cases of Kibana's `threshold/utils.test.ts` (`calculateThresholdSignalUuid`).
        let at = |text: &str| EventTime::parse(text).unwrap();
        let fields = |names: &[&str]| names.iter().map(|&name| name.to_owned()).collect::<Vec<_>>();
        assert_eq!(
            threshold_parent_id("abcd", at("2020-12-17T16:27:00Z"), &fields(&["agent.name"]), &[]),
            "a4832768-a379-583a-b1a2-e2ce2ad9e6e9"
        );
        assert_eq!(
            threshold_parent_id(
                "abcd",
                at("2019-11-18T13:32:00Z"),
                &fields(&["host.ip"]),
                &["1.2.3.4".to_owned()]
            ),
            "ee8870dc-45ff-5e6c-a2f9-80886651ce03"
        );
    }

    #[test]
    fn kibana_hashes_of_a_group() {
        // generateAlertId: sha256("e1" + "logs-a" + "e2" + "logs-a" + rule uuid).
        let ancestors =
            [json!({"id": "e1", "index": "logs-a"}), json!({"id": "e2", "index": "logs-a"})];
        assert_eq!(group_id(&ancestors, "r"), sha256_hex(b"e1logs-ae2logs-ar"));
        // generateBuildingBlockIds: sha256("e1logs-a" + "r" + "e2logs-a" + "r" + position).
        let blocks: [&[Value]; 2] = [&ancestors[..1], &ancestors[1..]];
        assert_eq!(
            building_block_ids(&blocks, "r"),
            [sha256_hex(b"e1logs-are2logs-ar0"), sha256_hex(b"e1logs-are2logs-ar1")]
        );
    }
}
