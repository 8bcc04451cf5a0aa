//! Routing and matching do not allocate per event once warm: events that meet candidate
//! rules (by witness, by category, ungated) but match none cost no heap allocation, however
//! many rules are loaded. Counted with dhat's heap-testing allocator (one test per binary, so
//! no other test's allocations are counted).

use event_input::InputEvent;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions};
use rule_model::RuleFile;
use serde_json::{Value, json};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn engine() -> Engine {
    let mut compiler = Compiler::new();
    let mut rules = Vec::new();
    for n in 0..60 {
        let (language, kind, query) = match n % 4 {
            0 => (
                "eql",
                "eql",
                format!(r#"process where process.name : "tool{n}.exe" and process.args : "-x{n}""#),
            ),
            1 => ("eql", "eql", format!(r#"file where file.path : "*\\evil{n}\\*""#)),
            2 => ("kuery", "query", format!("event.action:act{n} and user.name:admin{n}")),
            _ => ("kuery", "query", format!("process.command_line:*zz{n}*")),
        };
        let text = format!(
            "[rule]\nrule_id = \"r{n}\"\nname = \"r{n}\"\ndescription = \"d\"\nrisk_score = 21\n\
             severity = \"low\"\ntype = \"{kind}\"\nlanguage = \"{language}\"\n\
             index = [\"logs-*\"]\nquery = '''\n{query}\n'''\n"
        );
        let rule = RuleFile::parse("alloc.toml", &text).expect("rule loads").rule;
        let runnable = if language == "eql" {
            let ast = eql_syntax::parse(&query).expect("EQL parses");
            let plan = compiler.compile_eql(&ast, &EqlOptions::default()).expect("compiles");
            CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("event query")
        } else {
            let ast = kql_syntax::parse(&query).expect("KQL parses");
            CompiledQuery::from_kql(compiler.compile_kql(&ast).expect("compiles"))
        };
        rules.push((rule, runnable));
    }
    Engine::new(compiler.into_fields(), rules, EngineOptions::default()).expect("engine")
}

/// Events meeting rules of every gate kind without matching: the witness value holds but
/// not the rest, the category holds but not the path, ungated rules run and fail.
fn event(n: u64) -> InputEvent {
    let tool = n % 60;
    let source: Value = json!({
        "@timestamp": 1_752_141_600_000_u64 + n,
        "event": {"category": ["process", "file"], "action": format!("act{tool}")},
        "process": {"name": format!("tool{tool}.exe"), "args": ["-y"], "command_line": "tool -y"},
        "file": {"path": "C:\\Users\\x\\doc.txt"},
        "user": {"name": "someone"},
    });
    InputEvent { source, index: None, id: None, line: n + 1 }
}

#[test]
fn warm_routing_and_matching_do_not_allocate() {
    let mut engine = engine();
    let events: Vec<InputEvent> = (0..2000).map(event).collect();
    let mut events = events.into_iter();
    for warm in events.by_ref().take(200) {
        engine.push(warm);
    }
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get();
    let mut pushed = 0_u64;
    for measured in events {
        engine.push(measured);
        pushed += 1;
    }
    let allocations = dhat::HeapStats::get().total_blocks - before.total_blocks;
    assert!(pushed == 1800 && allocations == 0, "{allocations} allocations for {pushed} events");
    let output = engine.finish();
    assert!(output.alerts.is_empty(), "no event may match");
    assert_eq!(output.summary.events_read, 2000);
}
