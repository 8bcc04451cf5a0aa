//! KQL evaluation over `shared/conformance/kql/eval_cases.jsonl` (detection-rules'
//! `test_evaluator.py`): parse, compile with a schema, run the VM on the case's document.
//!
//! The documents have no mapping, so each gets the one Elasticsearch's dynamic mapping would
//! give it ([`dynamic_mapping`]); Warden follows Kibana on that mapping. Where Kibana's
//! answer differs from the library's `expected`, `kql_eval_overrides.toml` holds Kibana's
//! answer and the reason; the test fails on any other disagreement, and on an override that
//! matches no case or agrees with the library (so the list stays exact).

#![allow(clippy::print_stdout, reason = "the runner reports `N passed, M failed`")]

use std::collections::BTreeMap;
use std::path::Path;

use field_schema::Schema;
use rule_compiler::{Compiler, SchemaOptions};
use rule_vm::{EventView, Vm};
use serde_json::{Map, Value, json};

/// The mapping ES creates for a document indexed into an index without one (ES reference,
/// "Dynamic field mapping": string → `text` + `keyword` multi-field with `ignore_above: 256`,
/// integer → `long`, other number → `float`, boolean → `boolean`, object → `object`, an array
/// takes the type of its first non-null element; date detection only for strings in the
/// default `dynamic_date_formats`, which none of these documents has).
fn dynamic_mapping(document: &Value) -> Value {
    fn field_mapping(value: &Value) -> Option<Value> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(json!({"type": "boolean"})),
            Value::Number(n) if n.is_f64() => Some(json!({"type": "float"})),
            Value::Number(_) => Some(json!({"type": "long"})),
            Value::String(_) => Some(json!({
                "type": "text",
                "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}
            })),
            Value::Array(items) => items.iter().find_map(field_mapping),
            Value::Object(map) => Some(json!({"properties": properties(map)})),
        }
    }
    fn properties(map: &Map<String, Value>) -> Value {
        let mut out = Map::new();
        for (name, value) in map {
            if let Some(mapping) = field_mapping(value) {
                out.insert(name.clone(), mapping);
            }
        }
        Value::Object(out)
    }
    json!({"properties": properties(document.as_object().cloned().as_ref().unwrap_or(&Map::new()))})
}

/// Kibana's answers where they differ from the library: query → (expected, reason).
fn overrides() -> BTreeMap<String, (String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("kql_eval_overrides.toml");
    let text = std::fs::read_to_string(&path).expect("overrides file is readable");
    let table: toml::Table = text.parse().expect("overrides file is TOML");
    let mut out = BTreeMap::new();
    for case in table.get("case").and_then(toml::Value::as_array).into_iter().flatten() {
        let field = |key: &str| case.get(key).and_then(toml::Value::as_str).unwrap_or_default();
        assert!(!field("reason").is_empty(), "every override has a reason: {case}");
        assert!(["true", "false", "error"].contains(&field("expected")), "{case}");
        out.insert(
            field("query").to_owned(),
            (field("expected").to_owned(), field("reason").to_owned()),
        );
    }
    out
}

/// Runs one case: "true", "false", or "error" (with the compile errors).
fn outcome(query: &str, document: &Value) -> Result<String, String> {
    let ast = kql_syntax::parse(query).map_err(|e| format!("parse: {e:?}"))?;
    let schema = Schema::from_es_mapping_value("dynamic mapping", &dynamic_mapping(document))
        .map_err(|e| format!("mapping: {e}"))?;
    let mut compiler = Compiler::new();
    let types = SchemaOptions { schema: Some(&schema), ..SchemaOptions::default() };
    let Ok(kql) = compiler.compile_kql_typed(&ast, &types) else {
        return Ok("error".to_owned());
    };
    let fields = compiler.into_fields();
    let mut view = EventView::new(&fields, document);
    Ok(Vm::new().matches(&kql.program, &mut view).to_string())
}

#[test]
fn kql_eval_cases() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/kql/eval_cases.jsonl");
    let text = std::fs::read_to_string(&path).expect("eval_cases.jsonl is readable");
    let overrides = overrides();
    let mut used = std::collections::BTreeSet::new();
    let (mut passed, mut failed, mut overridden) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON case");
        let query = case["query"].as_str().expect("query");
        let library = case["expected"].as_bool().expect("expected").to_string();
        let expected = match overrides.get(query) {
            Some((kibana, reason)) => {
                used.insert(query.to_owned());
                assert_ne!(
                    *kibana, library,
                    "override of {query} agrees with the library: {reason}"
                );
                overridden += 1;
                kibana.clone()
            }
            None => library,
        };
        match outcome(query, &case["event"]) {
            Ok(got) if got == expected => passed += 1,
            Ok(got) => {
                failed += 1;
                failures.push(format!("{query}: got {got}, expected {expected}"));
            }
            Err(why) => {
                failed += 1;
                failures.push(format!("{query}: {why}"));
            }
        }
    }
    println!(
        "KQL eval cases: {passed} passed, {failed} failed ({overridden} with Kibana's answer)"
    );
    let unused: Vec<&String> = overrides.keys().filter(|q| !used.contains(*q)).collect();
    assert!(unused.is_empty(), "overrides matching no case: {unused:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dynamic_mapping_follows_es_defaults() {
    let mapping = dynamic_mapping(
        &json!({"s": "x", "n": [1, 2], "f": 1.5, "b": true, "o": [{"a": null, "c": 2}]}),
    );
    assert_eq!(mapping["properties"]["s"]["type"], "text");
    assert_eq!(mapping["properties"]["s"]["fields"]["keyword"]["type"], "keyword");
    assert_eq!(mapping["properties"]["n"]["type"], "long");
    assert_eq!(mapping["properties"]["f"]["type"], "float");
    assert_eq!(mapping["properties"]["b"]["type"], "boolean");
    assert_eq!(mapping["properties"]["o"]["properties"]["c"]["type"], "long");
    assert!(mapping["properties"]["o"]["properties"].get("a").is_none());
}
