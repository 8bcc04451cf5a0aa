//! Traced runs of the seed rules' programs (`traces.toml`): the trace listing against the query
//! text is snapshotted, and the verdict and deciding instruction are checked, the verdict also
//! against the untraced run.

use rule_compiler::{Compiler, EqlOptions, EqlPlan};
use rule_vm::{EventView, Outcome, Program, Vm};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct TraceFile {
    trace: Vec<TraceCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceCase {
    name: String,
    /// A query in `fixtures/` (`.eql` or `.kql`).
    fixture: String,
    /// The event as JSON text.
    event: String,
    /// Whether the event matches.
    verdict: bool,
    /// The instruction index of the deciding predicate.
    deciding: usize,
}

fn compile(compiler: &mut Compiler, fixture: &str, source: &str) -> Program {
    if Path::new(fixture).extension().is_some_and(|e| e == "eql") {
        let ast = eql_syntax::parse(source).expect("fixture parses");
        let eql = compiler.compile_eql(&ast, &EqlOptions::default()).expect("compiles");
        let EqlPlan::Event(stage) = eql.plan else { panic!("{fixture}: not an event query") };
        stage.program
    } else {
        let ast = kql_syntax::parse(source).expect("fixture parses");
        compiler.compile_kql(&ast).expect("compiles")
    }
}

#[test]
fn seed_rule_traces() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let text = std::fs::read_to_string(dir.join("traces.toml")).expect("traces.toml");
    let file: TraceFile = toml::from_str(&text).expect("traces.toml parses");
    assert!(file.trace.len() >= 4, "two events per seed rule");
    for case in &file.trace {
        let source = std::fs::read_to_string(dir.join("fixtures").join(&case.fixture))
            .expect("fixture exists");
        let mut compiler = Compiler::new();
        let program = compile(&mut compiler, &case.fixture, &source);
        let event: serde_json::Value = serde_json::from_str(&case.event).expect("event is JSON");

        let mut vm = Vm::new();
        let trace = vm.trace(&program, &mut EventView::new(compiler.fields(), &event));
        let untraced = vm.matches(&program, &mut EventView::new(compiler.fields(), &event));
        assert_eq!(trace.verdict, untraced, "{}: traced and untraced runs agree", case.name);
        assert_eq!(trace.verdict, case.verdict, "{}: verdict", case.name);
        assert_eq!(
            trace.steps.last().map(|step| &step.outcome),
            Some(&Outcome::Return(case.verdict)),
            "{}: the trace ends with the return",
            case.name
        );
        let deciding = trace.deciding().expect("a deciding step");
        assert_eq!(deciding.at, case.deciding, "{}: deciding instruction", case.name);

        let listing = trace.listing(&program, compiler.fields(), &source).to_string();
        insta::with_settings!({ snapshot_suffix => case.name.as_str() }, {
            insta::assert_snapshot!(listing);
        });
    }
}
