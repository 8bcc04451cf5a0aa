//! Malformed schema sources give a coded error (never a panic); the code, message and
//! label of each case are kept in a snapshot.

use std::fmt::Write as _;

use field_schema::{NonEcsSchema, Schema, SchemaError};
use miette::Diagnostic;

fn describe(error: &SchemaError) -> String {
    let code = error.code().map(|c| c.to_string()).unwrap_or_default();
    let labels: Vec<String> = error
        .labels()
        .into_iter()
        .flatten()
        .map(|label| format!("@{}+{}", label.offset(), label.len()))
        .collect();
    format!("{code}: {error} {}", labels.join(" ")).trim_end().to_owned()
}

#[test]
fn malformed_sources() {
    let mapping_cases = [
        ("not json", "{\"properties\": {"),
        ("top level array", "[]"),
        ("no properties", r#"{"settings": {}}"#),
        ("properties not object", r#"{"properties": []}"#),
        ("field not object", r#"{"properties": {"a": "keyword"}}"#),
        ("type not string", r#"{"properties": {"a": {"type": 1}}}"#),
        ("alias without path", r#"{"properties": {"a": {"type": "alias"}}}"#),
        ("alias to missing", r#"{"properties": {"a": {"type": "alias", "path": "b"}}}"#),
        (
            "alias to alias",
            r#"{"properties": {"b": {"type": "keyword"}, "c": {"type": "alias", "path": "b"}, "a": {"type": "alias", "path": "c"}}}"#,
        ),
        (
            "alias to object",
            r#"{"properties": {"o": {"properties": {}}, "a": {"type": "alias", "path": "o"}}}"#,
        ),
        ("bad date format", r#"{"properties": {"d": {"type": "date", "format": "EEE yyyy"}}}"#),
        ("format not string", r#"{"properties": {"d": {"type": "date", "format": 3}}}"#),
        (
            "ignore_above negative",
            r#"{"properties": {"k": {"type": "keyword", "ignore_above": -1}}}"#,
        ),
        (
            "properties on keyword",
            r#"{"properties": {"k": {"type": "keyword", "properties": {}}}}"#,
        ),
        ("fields on object", r#"{"properties": {"o": {"type": "object", "fields": {}}}}"#),
        (
            "multi-field without type",
            r#"{"properties": {"t": {"type": "text", "fields": {"raw": {}}}}}"#,
        ),
        (
            "multi-field object",
            r#"{"properties": {"t": {"type": "text", "fields": {"raw": {"type": "object"}}}}}"#,
        ),
    ];
    let mut out = String::new();
    for (name, text) in mapping_cases {
        let error = Schema::from_es_mapping("m.json", text).expect_err(name);
        writeln!(out, "mapping / {name}: {}", describe(&error)).unwrap();
    }
    let flat_cases = [
        ("flat not object", "[1]"),
        ("flat type number", r#"{"a": 1}"#),
        ("flat alias", r#"{"a": "alias"}"#),
    ];
    for (name, text) in flat_cases {
        let error = Schema::from_flat_json("f.json", text).expect_err(name);
        writeln!(out, "flat / {name}: {}", describe(&error)).unwrap();
    }
    let tsv_cases = [
        ("no type", "a\tkeyword\nb\n"),
        ("spaces", "a b\tkeyword\n"),
        ("bad attribute", "a\tkeyword\tignore_above\n"),
        ("unknown attribute", "a\tkeyword\tcolour=red\n"),
        ("alias without path", "a\talias\n"),
        ("bad null_value", "a\tkeyword\tnull_value=NULL\n"),
        ("bad format", "a\tdate\tformat=qqq\n"),
    ];
    for (name, text) in tsv_cases {
        let error = Schema::from_tsv("s.tsv", text).expect_err(name);
        writeln!(out, "tsv / {name}: {}", describe(&error)).unwrap();
    }
    let non_ecs_cases = [
        ("index not object", r#"{"logs-*": "keyword"}"#),
        ("nested bad type", r#"{"logs-*": {"a": {"b": true}}}"#),
    ];
    for (name, text) in non_ecs_cases {
        let error = NonEcsSchema::from_json("n.json", text).expect_err(name);
        writeln!(out, "non-ecs / {name}: {}", describe(&error)).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn accepted_mapping_shapes() {
    let shapes = [
        r#"{"mappings": {"properties": {"a": {"type": "ip"}}}}"#,
        r#"{"properties": {"a": {"type": "ip"}}}"#,
        r#"{"my-index": {"mappings": {"properties": {"a": {"type": "ip"}}}}}"#,
        r#"{"mappings": {"_doc": {"properties": {"a": {"type": "ip"}}}}}"#,
        r#"{"properties": {"a.b": {"type": "keyword"}, "a": {"properties": {"c": {"type": "ip"}}}}}"#,
    ];
    for text in shapes {
        let schema = Schema::from_es_mapping("shape", text).expect(text);
        assert!(schema.iter().any(|(_, spec)| spec.ty == field_schema::FieldType::Ip), "{text}");
    }
    let two_indices = Schema::from_es_mapping(
        "two",
        r#"{"i1": {"mappings": {"properties": {"a": {"type": "long"}}}},
            "i2": {"mappings": {"properties": {"a": {"type": "keyword"}, "b": {"type": "ip"}}}}}"#,
    )
    .unwrap();
    assert_eq!(two_indices.field_type("a"), Some(&field_schema::FieldType::Keyword));
    assert!(two_indices.contains("b"));
}
