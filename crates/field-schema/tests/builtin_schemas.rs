//! The built-in ECS, endpoint, endgame and non-ECS schemas, their per-rule union, and
//! wildcard expansion and overlaying over them.

use field_schema::{FieldSpec, FieldType, Schema, builtin};

#[test]
fn ecs_lookups() {
    let ecs = builtin::ecs();
    let cases = [
        ("process.command_line", FieldType::Wildcard),
        ("process.command_line.text", FieldType::MatchOnlyText),
        ("message", FieldType::MatchOnlyText),
        ("file.path", FieldType::Keyword),
        ("file.path.text", FieldType::MatchOnlyText),
        ("source.ip", FieldType::Ip),
        ("event.category", FieldType::Keyword),
        ("@timestamp", FieldType::Date),
        ("process.pid", FieldType::Long),
        ("host.cpu.usage", FieldType::ScaledFloat),
        ("labels", FieldType::Object),
        ("data_stream.type", FieldType::ConstantKeyword),
    ];
    for (path, expected) in cases {
        assert_eq!(ecs.field_type(path), Some(&expected), "{path}");
    }
    assert_eq!(ecs.len(), 2614 + 120, "ECS fields plus their multi-fields");
    let file_path = ecs.get("file.path").unwrap();
    assert_eq!(file_path.ignore_above, Some(1024));
    assert_eq!(file_path.multi_field("text").map(|m| &m.ty), Some(&FieldType::MatchOnlyText));
    assert_eq!(ecs.get("file.path.text").unwrap().multi_field_of.as_deref(), Some("file.path"));
    assert!(ecs.get("process.command_line.caseless").is_none());
}

#[test]
fn non_ecs_lookup_is_by_exact_pattern() {
    let winlogbeat =
        builtin::non_ecs().for_index_pattern("winlogbeat-*").expect("winlogbeat-* is listed");
    assert_eq!(
        winlogbeat.field_type("winlog.event_data.SubjectUserSid"),
        Some(&FieldType::Keyword)
    );
    assert_eq!(winlogbeat.field_type("problemchild.prediction"), Some(&FieldType::Long));
    assert!(builtin::non_ecs().for_index_pattern("winlogbeat-7*").is_none());
    assert_eq!(builtin::non_ecs().index_patterns().count(), 28);
    // In the endgame-* tree, `type` is a field name, not a mapping parameter.
    let endgame = builtin::non_ecs().for_index_pattern("endgame-*").unwrap();
    assert_eq!(endgame.field_type("endgame.metadata.type"), Some(&FieldType::Keyword));
}

#[test]
fn rule_schema_unions_the_sources() {
    let schema = Schema::for_index_patterns(&["winlogbeat-*", "logs-windows.*"]);
    assert_eq!(schema.field_type("winlog.event_data.SubjectUserSid"), Some(&FieldType::Keyword));
    assert_eq!(schema.field_type("source.ip"), Some(&FieldType::Ip));
    // Endpoint fields are always merged, and win over ECS.
    assert_eq!(schema.field_type("process.Ext.session_info.id"), Some(&FieldType::UnsignedLong));
    assert_eq!(schema.field_type("process.command_line.text"), Some(&FieldType::Text));
    let command_line = schema.get("process.command_line").unwrap();
    let names: Vec<&str> = command_line.multi_fields.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["text", "caseless"]);
    assert_eq!(
        schema.get("process.command_line.caseless").unwrap().multi_field_of.as_deref(),
        Some("process.command_line")
    );
    // Endgame fields only with endgame-*.
    assert!(schema.get("endgame.metadata.type").is_none());
    let endgame = Schema::for_index_patterns(&["endgame-*"]);
    assert_eq!(endgame.field_type("endgame.metadata.type"), Some(&FieldType::Keyword));
}

#[test]
fn expansion_is_case_sensitive_and_skips_containers() {
    let ecs = builtin::ecs();
    let expanded = ecs.expand("file.pa*");
    assert_eq!(expanded, ["file.path", "file.path.text"]);
    assert_eq!(
        ecs.expand("*.command_line"),
        [
            "process.command_line",
            "process.entry_leader.command_line",
            "process.group_leader.command_line",
            "process.parent.command_line",
            "process.session_leader.command_line",
        ]
    );
    assert!(ecs.expand("File.pa*").is_empty());
    assert_eq!(ecs.expand("source.ip"), ["source.ip"]);
    assert!(ecs.expand("no.such.field").is_empty());
    // `labels` is an object container: not a data-view field.
    assert!(!ecs.expand("lab*").contains(&"labels"));
    assert!(ecs.expand("*").len() > 2500);
}

#[test]
fn overlay_later_source_wins_and_relinks_multi_fields() {
    let mut base = Schema::from_flat_json(
        "base",
        r#"{"a": "keyword", "a.text": "match_only_text", "o": "object", "o.x": "long"}"#,
    )
    .unwrap();
    assert_eq!(base.get("a.text").unwrap().multi_field_of.as_deref(), Some("a"));
    assert_eq!(base.get("o.x").unwrap().multi_field_of, None);
    let top = Schema::from_flat_json("top", r#"{"a": "wildcard", "b": "ip"}"#).unwrap();
    base.overlay(&top);
    let a = base.get("a").unwrap();
    assert_eq!(a.ty, FieldType::Wildcard);
    assert_eq!(a.multi_field("text").map(|m| &m.ty), Some(&FieldType::MatchOnlyText));
    let paths: Vec<&str> = base.paths().collect();
    assert_eq!(paths, ["a", "a.text", "o", "o.x", "b"]);

    let mut schema = Schema::new();
    schema.insert("p.sub", FieldSpec::new(FieldType::Keyword));
    assert_eq!(schema.get("p.sub").unwrap().multi_field_of, None);
    schema.insert("p", FieldSpec::new(FieldType::Text));
    assert_eq!(schema.get("p.sub").unwrap().multi_field_of.as_deref(), Some("p"));
}

#[test]
fn tsv_round_trips() {
    let ecs = builtin::ecs();
    let again = Schema::from_tsv("round trip", &ecs.to_tsv()).unwrap();
    assert_eq!(&again, ecs);
}

#[test]
fn nested_scope_finds_the_nearest_nested_ancestor() {
    let schema = Schema::for_index_patterns(&[]);
    assert_eq!(
        schema.nested_scope("process.Ext.code_signature.trusted"),
        Some("process.Ext.code_signature")
    );
    assert_eq!(
        schema.nested_scope("process.thread.Ext.call_stack_final_user_module.code_signature.valid"),
        Some("process.thread.Ext.call_stack_final_user_module.code_signature")
    );
    assert_eq!(schema.nested_scope("process.Ext.code_signature"), None);
    assert_eq!(schema.nested_scope("process.name"), None);
}
