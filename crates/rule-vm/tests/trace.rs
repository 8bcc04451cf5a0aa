//! Traced runs and script evaluation: the trace records each executed step with its outcome
//! and the values read, names the deciding predicate, and agrees with the untraced run;
//! `Vm::evaluate` returns a script's value with three-valued `and`/`or`/`not`.

use rule_vm::{
    CaseMode, CmpOp, Constant, EventView, FieldTable, Func, Instr, LogicOp, Outcome,
    ProgramBuilder, ScriptValue, StrMatcher, Test, Vm,
};
use serde_json::json;

#[test]
fn logic_is_three_valued() {
    use Constant::{Bool, Null};
    use LogicOp::{And, Not, Or};
    let (yes, no, null) = (ScriptValue::Bool(true), ScriptValue::Bool(false), ScriptValue::Null);
    let cases = [
        (And, vec![Bool(true), Bool(true)], yes.clone()),
        (And, vec![Bool(true), Null], null.clone()),
        (And, vec![Null, Bool(false)], no.clone()),
        (And, vec![Bool(false), Null], no.clone()),
        (And, vec![Null, Null], null.clone()),
        (Or, vec![Null, Bool(true)], yes.clone()),
        (Or, vec![Bool(false), Null], null.clone()),
        (Or, vec![Bool(false), Bool(false)], no.clone()),
        (Or, vec![Constant::Int(1), Bool(false)], null.clone()),
        (Not, vec![Null], null),
        (Not, vec![Bool(true)], no),
        (Not, vec![Bool(false)], yes),
    ];
    let fields = FieldTable::new();
    let event = json!({});
    let mut vm = Vm::new();
    for (op, args, expected) in cases {
        let mut builder = ProgramBuilder::new();
        for arg in &args {
            let constant = builder.add_constant(arg.clone());
            builder.emit(Instr::PushConst(constant), (0, 0));
        }
        builder.emit(Instr::Logic(op), (0, 0));
        let program = builder.finish().expect("valid");
        let value = vm.evaluate(&program, &mut EventView::new(&fields, &event));
        assert_eq!(value, expected, "{op:?} {args:?}");
    }
}

#[test]
fn trace_records_script_values_field_values_and_the_deciding_step() {
    // name : "x*" or length(name) > 3
    let mut fields = FieldTable::new();
    let name = fields.intern("name");
    let mut b = ProgramBuilder::new();
    let matcher = b.add_matcher(StrMatcher::prefix("x", CaseMode::Insensitive));
    let three = b.add_constant(Constant::Int(3));
    b.emit(Instr::Test { field: name, test: Test::Matches { matcher } }, (0, 11));
    b.emit(Instr::JumpIfTrue(7), (0, 34));
    b.emit(Instr::PushField(name), (22, 26));
    b.emit(Instr::Call { func: Func::Length, argc: 1, case_insensitive: false }, (15, 27));
    b.emit(Instr::PushConst(three), (30, 31));
    b.emit(Instr::Cmp(CmpOp::Gt), (15, 31));
    b.emit(Instr::ScriptEnd, (15, 31));
    let program = b.finish().expect("valid");
    let source = r#"name : "x*" or length(name) > 3"#;

    let event = json!({"name": ["abcd", "v1", "v2", "v3", "v4", "v5"]});
    let mut vm = Vm::new();
    let trace = vm.trace(&program, &mut EventView::new(&fields, &event));
    assert!(trace.verdict);
    assert!(vm.matches(&program, &mut EventView::new(&fields, &event)));
    let outcomes: Vec<&Outcome> = trace.steps.iter().map(|step| &step.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &Outcome::Predicate(false),
            &Outcome::Jump { taken: false },
            &Outcome::Value(ScriptValue::Str("abcd".into())),
            &Outcome::Value(ScriptValue::Int(4)),
            &Outcome::Value(ScriptValue::Int(3)),
            &Outcome::Value(ScriptValue::Bool(true)),
            &Outcome::Predicate(true),
            &Outcome::Return(true),
        ]
    );
    // A field's values are bounded: four kept, the rest counted.
    assert_eq!(trace.steps[0].values, ["\"abcd\"", "\"v1\"", "\"v2\"", "\"v3\""]);
    assert_eq!(trace.steps[0].more_values, 2);
    assert_eq!(trace.deciding().map(|step| step.at), Some(6));

    let listing = trace.listing(&program, &fields, source).to_string();
    assert!(listing.contains(r#"  6 * length(name) > 3  -> true"#), "{listing}");
    assert!(listing.contains(r#"  3   length(name)  = 4"#), "{listing}");
    assert!(listing.ends_with("verdict: match (decided by instruction 6)\n"), "{listing}");

    // The first predicate decides when it short-circuits.
    let event = json!({"name": "xyz"});
    let trace = vm.trace(&program, &mut EventView::new(&fields, &event));
    assert_eq!(trace.deciding().map(|step| step.at), Some(0));
    assert_eq!(trace.steps.len(), 3);
}

#[test]
fn nested_steps_are_indented_and_the_block_decides() {
    // nested(items) { kind == "a" }
    let mut fields = FieldTable::new();
    let items = fields.intern("items");
    let kind = fields.intern("kind");
    let mut b = ProgramBuilder::new();
    let matcher = b.add_matcher(StrMatcher::exact("a", CaseMode::Sensitive));
    b.emit(Instr::Nested { path: items, end: 2 }, (0, 20));
    b.emit(Instr::Test { field: kind, test: Test::Matches { matcher } }, (6, 16));
    let program = b.finish().expect("valid");
    let event = json!({"items": [{"kind": "b"}, {"kind": "a"}]});
    let trace = Vm::new().trace(&program, &mut EventView::new(&fields, &event));
    assert!(trace.verdict);
    let shape: Vec<(usize, usize, &Outcome)> =
        trace.steps.iter().map(|step| (step.at, step.depth, &step.outcome)).collect();
    assert_eq!(
        shape,
        [
            (1, 1, &Outcome::Predicate(false)),
            (1, 1, &Outcome::Predicate(true)),
            (0, 0, &Outcome::Predicate(true)),
            (2, 0, &Outcome::Return(true)),
        ]
    );
    assert_eq!(trace.deciding().map(|step| step.at), Some(0));
}
