//! The ES EQL QA mappings (`shared/conformance/eql-es/data/*.mapping`) load with the
//! types, aliases, multi-fields, formats and null values the QA README describes.

use std::path::Path;

use field_schema::{FieldSpec, FieldType, Schema, es_qa_mapping_text};
use serde_json::json;

fn load(name: &str) -> Schema {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/eql-es/data")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Schema::from_es_qa_mapping(name, &text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_conformance_mapping_loads() {
    let names = [
        "endgame-140.mapping",
        "endgame-140-nanos.mapping",
        "extra.mapping",
        "missing-events.mapping",
        "sample-multi.mapping",
        "sample1.mapping",
        "sample2.mapping",
        "sample3.mapping",
    ];
    for name in names {
        let schema = load(name);
        // Every QA mapping declares event.category as an alias of event_type.
        assert_eq!(schema.alias_target("event.category"), Some("event_type"), "{name}");
        let resolved = schema.resolve("event.category").expect("alias resolves");
        assert_eq!(resolved.path, "event_type", "{name}");
        assert_eq!(resolved.spec.ty, FieldType::Keyword, "{name}");
    }
}

#[test]
fn extra_mapping() {
    let schema = load("extra.mapping");
    assert_eq!(schema.field_type("version"), Some(&FieldType::Version));
    assert_eq!(schema.field_type("date_tags"), Some(&FieldType::Date));
    assert_eq!(schema.alias_target("event.sequence"), Some("sequence"));
    assert_eq!(schema.field_type("event.sequence"), Some(&FieldType::Long));
    assert_eq!(schema.get("event").map(|s| &s.ty), Some(&FieldType::Object));
    let default_null = schema.get("optional_field_default_null").expect("mapped");
    assert_eq!(default_null.ty, FieldType::Keyword);
    assert_eq!(default_null.null_value, Some(json!("NULL")));
    assert!(schema.contains("optional_field_mapping_only"));
    insta::assert_snapshot!(schema.to_tsv());
}

#[test]
fn endgame_mapping() {
    let schema = load("endgame-140.mapping");
    assert_eq!(schema.field_type("source_address"), Some(&FieldType::Ip));
    for field in ["pid", "ppid", "opcode", "serial_event_id", "exit_code"] {
        assert_eq!(schema.field_type(field), Some(&FieldType::Long), "{field}");
    }
    assert_eq!(schema.alias_target("event.sequence"), Some("serial_event_id"));
    for text_field in ["file_name", "hostname"] {
        let spec = schema.get(text_field).expect("mapped");
        assert_eq!(spec.ty, FieldType::Text);
        let keyword = spec.multi_field("keyword").expect("keyword sub-field");
        assert_eq!(keyword.ty, FieldType::Keyword);
        let sub_path = format!("{text_field}.keyword");
        let sub = schema.get(&sub_path).expect("sub-field addressable by full path");
        assert_eq!(sub.multi_field_of.as_deref(), Some(text_field));
        assert_eq!(sub.ignore_above, Some(256));
    }
    assert_eq!(
        schema
            .get("@timestamp")
            .and_then(FieldSpec::date_format)
            .map(field_schema::DateFormat::source),
        Some("strict_date_optional_time||epoch_millis")
    );
    insta::assert_snapshot!(schema.to_tsv());
}

#[test]
fn endgame_nanos_mapping_differs_only_in_timestamps() {
    let millis = load("endgame-140.mapping");
    let nanos = load("endgame-140-nanos.mapping");
    let differing: Vec<&str> = millis
        .iter()
        .filter(|(path, spec)| nanos.get(path) != Some(spec))
        .map(|(path, _)| path)
        .collect();
    assert_eq!(differing, ["timestamp", "@timestamp"]);
    assert_eq!(nanos.field_type("@timestamp"), Some(&FieldType::DateNanos));
}

#[test]
fn sample_mappings_have_custom_date_formats() {
    let sample1 = load("sample1.mapping");
    let pretty = sample1.get("@timestamp_pretty").expect("mapped");
    let format = pretty.date_format().expect("date field");
    assert_eq!(format.source(), "dd-MM-yyyy");
    // 12-01-2022 is 12 January 2022 (dd-MM-yyyy).
    assert_eq!(format.parse_millis("12-01-2022"), Some(1_641_945_600_000));
    assert_eq!(sample1.field_type("version"), Some(&FieldType::Version));
    assert_eq!(sample1.field_type("bool"), Some(&FieldType::Boolean));
    assert_eq!(sample1.field_type("ip"), Some(&FieldType::Ip));

    let sample2 = load("sample2.mapping");
    let format =
        sample2.get("@timestamp_pretty").and_then(|s| s.date_format()).expect("date field");
    assert_eq!(format.source(), "yyyy-MM-dd");
    assert_eq!(format.parse_millis("2022-01-12"), Some(1_641_945_600_000));
    assert_eq!(format.parse_millis("12-01-2022"), None);

    let sample3 = load("sample3.mapping");
    assert_eq!(sample3.field_type("host_ip"), Some(&FieldType::Ip));
}

#[test]
fn qa_conventions_can_pick_wildcard() {
    let text =
        "# comment\n{\"properties\": {\"a\": {\"type\": \"[runtime_random_keyword_type]\"}}}";
    let schema = Schema::from_es_mapping("t", &es_qa_mapping_text(text, "wildcard")).unwrap();
    assert_eq!(schema.field_type("a"), Some(&FieldType::Wildcard));
    // Without the conventions, the `#` line is not JSON.
    assert!(Schema::from_es_mapping("t", text).is_err());
}
