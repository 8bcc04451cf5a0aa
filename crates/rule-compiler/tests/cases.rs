//! Behaviour tests as data: each `cases/*.toml` row is a query (EQL or KQL), an event and the
//! expected outcome, run through the parser, the compiler and the VM.

use rule_compiler::{Compiler, EqlOptions, EqlPlan, SchemaOptions, load_schema};
use rule_vm::{EventView, Vm};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct CaseFile {
    test: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// `eql` or `kql`.
    language: String,
    query: String,
    /// The event as JSON text.
    event: String,
    /// Whether the event matches; absent when the query must fail to compile.
    expect: Option<bool>,
    /// The compile error expected instead (its variant name, e.g. `BadValueForType`).
    error: Option<String>,
    /// The field types: an ES mapping or a flat `{"field": "type"}` JSON (none: untyped).
    schema: Option<String>,
    /// The clock of date math, RFC 3339.
    now: Option<String>,
}

fn run(case: &Case) -> Result<bool, String> {
    let mut compiler = Compiler::new();
    let schema = case
        .schema
        .as_deref()
        .map(|text| load_schema("case", text))
        .transpose()
        .map_err(|e| format!("schema: {e}"))?;
    let now = case.now.as_deref().map(str::parse).transpose().map_err(|e| format!("now: {e}"))?;
    let types = SchemaOptions { schema: schema.as_ref(), now, ..SchemaOptions::default() };
    let program = match case.language.as_str() {
        "eql" => {
            let ast = eql_syntax::parse(&case.query).map_err(|e| format!("parse: {e:?}"))?;
            let eql = compiler
                .compile_eql_typed(&ast, &EqlOptions::default(), &types)
                .map_err(|e| format!("{e:?}"))?;
            match eql.plan {
                EqlPlan::Event(stage) => stage.program,
                _ => return Err("not an event query".into()),
            }
        }
        "kql" => {
            let ast = kql_syntax::parse(&case.query).map_err(|e| format!("parse: {e:?}"))?;
            compiler.compile_kql_typed(&ast, &types).map_err(|e| format!("{e:?}"))?.program
        }
        other => return Err(format!("unknown language {other}")),
    };
    let event: serde_json::Value =
        serde_json::from_str(&case.event).map_err(|e| format!("bad event: {e}"))?;
    let fields = compiler.into_fields();
    let mut view = EventView::new(&fields, &event);
    Ok(Vm::new().matches(&program, &mut view))
}

#[test]
fn table_driven_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> =
        std::fs::read_dir(&dir).expect("cases dir").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    let (mut count, mut failures) = (0, Vec::new());
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        let text = std::fs::read_to_string(path).expect("readable");
        let file: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for case in &file.test {
            count += 1;
            match (run(case), &case.error) {
                (Ok(got), None) if Some(got) == case.expect => {}
                (Err(e), Some(error)) if e.contains(error.as_str()) => {}
                (Ok(got), _) => {
                    failures.push(format!("{}: {}: got {got}", path.display(), case.name));
                }
                (Err(e), _) => failures.push(format!("{}: {}: {e}", path.display(), case.name)),
            }
        }
    }
    assert!(count >= 40, "only {count} cases");
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}
