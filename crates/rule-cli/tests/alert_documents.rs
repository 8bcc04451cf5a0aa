//! Kibana's alert document, field by field, as `warden run` prints it: one alert of each rule
//! type (query, EQL event, EQL sequence shell and building block, EQL sample shell and
//! building block, `new_terms`, threshold, and a suppressed query rule) from the rules and
//! events in `fixtures/alerts/`.

mod common;

use common::{warden, workspace};
use serde_json::{Map, Value};

#[test]
fn one_alert_of_each_rule_type() {
    let (code, stdout, stderr) = warden(
        &workspace(),
        &[
            "run",
            "--rules",
            "crates/rule-cli/tests/fixtures/alerts/rules",
            "--events",
            "crates/rule-cli/tests/fixtures/alerts/events.ndjson",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let mut chosen = Map::new();
    for line in stdout.lines() {
        let alert: Value = serde_json::from_str(line).unwrap();
        let name = alert["kibana.alert.rule.name"].as_str().unwrap().to_owned();
        let role = match alert.get("kibana.alert.group.index") {
            None if alert.get("kibana.alert.group.id").is_some() => " shell",
            None => "",
            Some(_) => " building block",
        };
        // The first alert of each rule, and of each role in an alert group.
        chosen.entry(format!("{name}{role}")).or_insert(alert);
    }
    let names: Vec<&String> = chosen.keys().collect();
    assert_eq!(names.len(), 9, "{names:#?}");
    let suppressed = &chosen["Evil process, one alert per host (suppressed)"];
    assert_eq!(suppressed["kibana.alert.suppression.docs_count"], 1);
    insta::assert_json_snapshot!(Value::Object(chosen));
}
