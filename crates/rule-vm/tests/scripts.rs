//! Script behaviour: EQL functions and arithmetic with null propagation (eql.md §1.4), run
//! through the VM as `call(...) == expected` scripts.

use rule_vm::{
    ArithOp, CmpOp, Constant, EventView, FieldTable, Func, Instr, Program, ProgramBuilder, Vm,
};
use serde_json::json;

/// `func(args) == expected` (or `IsNull` when `expected` is null) as a script program.
fn call_program(func: Func, args: &[Constant], ci: bool, expected: &Constant) -> Program {
    let mut b = ProgramBuilder::new();
    for arg in args {
        let c = b.add_constant(arg.clone());
        b.emit(Instr::PushConst(c), (0, 0));
    }
    let count = u8::try_from(args.len()).expect("few args");
    b.emit(Instr::Call { func, argc: count, case_insensitive: ci }, (0, 0));
    if *expected == Constant::Null {
        b.emit(Instr::IsNull, (0, 0));
    } else {
        let c = b.add_constant(expected.clone());
        b.emit(Instr::PushConst(c), (0, 0));
        b.emit(Instr::Cmp(CmpOp::Eq), (0, 0));
    }
    b.emit(Instr::ScriptEnd, (0, 0));
    b.finish().expect("valid program")
}

fn s(text: &str) -> Constant {
    Constant::Str(text.into())
}

#[test]
fn functions_follow_elasticsearch() {
    use Constant::{Bool, Float, Int, Null};
    let cases: Vec<(Func, Vec<Constant>, bool, Constant)> = vec![
        (Func::Add, vec![Int(1), Int(2)], false, Int(3)),
        (Func::Add, vec![Null, Int(4)], false, Null),
        (Func::Divide, vec![Int(4), Int(3)], false, Int(1)),
        (Func::Divide, vec![Float(4.0), Int(2)], false, Float(2.0)),
        (Func::Divide, vec![Int(4), Int(0)], false, Null),
        (Func::Modulo, vec![Int(10), Int(-6)], false, Int(4)),
        (Func::Modulo, vec![Int(-10), Int(-6)], false, Int(-4)),
        (Func::Multiply, vec![Int(6), Int(7)], false, Int(42)),
        (Func::Subtract, vec![Int(6), Int(7)], false, Int(-1)),
        (Func::Between, vec![s("welcome to event query language"), s(" "), s(" ")], false, s("to")),
        (
            Func::Between,
            vec![s("welcome to event query language"), s(" "), s(" "), Bool(true)],
            false,
            s("to event query"),
        ),
        (Func::Between, vec![s("abc"), s(""), s("x")], false, s("abc")),
        (Func::Between, vec![s("abc"), s("z"), s("c")], false, s("")),
        (Func::Between, vec![s("A-B-C"), s("a"), s("c")], true, s("-B-")),
        (
            Func::CidrMatch,
            vec![s("10.1.2.3"), s("192.168.0.0/16"), s("10.0.0.0/8")],
            false,
            Bool(true),
        ),
        (Func::CidrMatch, vec![s("11.1.2.3"), s("10.0.0.0/8")], false, Bool(false)),
        (Func::Concat, vec![s("a"), Int(1), Bool(true)], false, s("a1true")),
        (Func::Concat, vec![s("a"), Null], false, Null),
        (Func::EndsWith, vec![s("cmd.EXE"), s(".exe")], false, Bool(false)),
        (Func::EndsWith, vec![s("cmd.EXE"), s(".exe")], true, Bool(true)),
        (Func::EndsWith, vec![s(""), s("")], false, Bool(true)),
        (Func::IndexOf, vec![s("a.b.c"), s(".")], false, Int(1)),
        (Func::IndexOf, vec![s("a.b.c"), s("."), Int(2)], false, Int(3)),
        (Func::IndexOf, vec![s("a.b.c"), s("x")], false, Null),
        (Func::IndexOf, vec![s("abc"), s(""), Int(10)], false, Int(3)),
        (Func::IndexOf, vec![s("abc"), s("b"), Int(-5)], false, Int(1)),
        (Func::IndexOf, vec![s("ABC"), s("b")], true, Int(1)),
        (Func::Length, vec![s("")], false, Int(0)),
        (Func::Length, vec![s("héllo")], false, Int(5)),
        (Func::Length, vec![Null], false, Null),
        (Func::Number, vec![s("1337")], false, Int(1337)),
        (Func::Number, vec![s("  +1337  ")], false, Int(1337)),
        (Func::Number, vec![s("0x1F")], false, Int(31)),
        (Func::Number, vec![s("1F"), Int(16)], false, Int(31)),
        (Func::Number, vec![s("1.5")], false, Float(1.5)),
        (Func::Number, vec![s("nope")], false, Null),
        (Func::StartsWith, vec![s("Cmd.exe"), s("cmd")], false, Bool(false)),
        (Func::StartsWith, vec![s("Cmd.exe"), s("cmd")], true, Bool(true)),
        (Func::String, vec![Int(42)], false, s("42")),
        (Func::String, vec![Float(42.5)], false, s("42.5")),
        (Func::String, vec![Bool(true)], false, s("true")),
        (Func::StringContains, vec![s("abc"), s("")], false, Bool(false)),
        (Func::StringContains, vec![s(""), s("")], false, Bool(false)),
        (Func::StringContains, vec![s("aBc"), s("B")], false, Bool(true)),
        (Func::StringContains, vec![s("abc"), s("B")], true, Bool(true)),
        (Func::Substring, vec![s("start.exe"), Int(-4)], false, s(".exe")),
        (Func::Substring, vec![s("start.exe"), Int(0), Int(5)], false, s("start")),
        (Func::Substring, vec![s("start.exe"), Int(2), Int(-4)], false, s("art")),
        (Func::Substring, vec![s("abc"), Int(2), Int(1)], false, s("")),
        (Func::Substring, vec![s("abc"), Int(10)], false, s("")),
    ];
    let fields = FieldTable::new();
    let event = json!({});
    let mut vm = Vm::new();
    let mut failures = Vec::new();
    for (func, args, ci, expected) in &cases {
        let program = call_program(*func, args, *ci, expected);
        let mut view = EventView::new(&fields, &event);
        if !vm.matches(&program, &mut view) {
            failures
                .push(format!("{func}{}({args:?}) != {expected:?}", if *ci { "~" } else { "" }));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_field_makes_the_script_leaf_false_and_its_negation_true() {
    // length(x) > 3, then `not` of it.
    let mut fields = FieldTable::new();
    let x = fields.intern("x");
    let mut b = ProgramBuilder::new();
    let three = b.add_constant(Constant::Int(3));
    b.emit(Instr::PushField(x), (0, 1));
    b.emit(Instr::Call { func: Func::Length, argc: 1, case_insensitive: false }, (0, 9));
    b.emit(Instr::PushConst(three), (12, 13));
    b.emit(Instr::Cmp(CmpOp::Gt), (0, 13));
    b.emit(Instr::ScriptEnd, (0, 13));
    let positive = b.finish().expect("valid");
    let mut vm = Vm::new();
    let missing = json!({});
    let long = json!({"x": "abcd"});
    let short = json!({"x": ["ab", "abcdef"]});
    assert!(!vm.matches(&positive, &mut EventView::new(&fields, &missing)));
    assert!(vm.matches(&positive, &mut EventView::new(&fields, &long)));
    // A multi-valued field contributes its first value to a script.
    assert!(!vm.matches(&positive, &mut EventView::new(&fields, &short)));

    let mut b = ProgramBuilder::new();
    let three = b.add_constant(Constant::Int(3));
    b.emit(Instr::PushField(x), (0, 1));
    b.emit(Instr::Call { func: Func::Length, argc: 1, case_insensitive: false }, (0, 9));
    b.emit(Instr::PushConst(three), (12, 13));
    b.emit(Instr::Cmp(CmpOp::Gt), (0, 13));
    b.emit(Instr::ScriptEnd, (0, 13));
    b.emit(Instr::Not, (0, 17));
    let negated = b.finish().expect("valid");
    assert!(vm.matches(&negated, &mut EventView::new(&fields, &missing)));
    assert!(!vm.matches(&negated, &mut EventView::new(&fields, &long)));
}

#[test]
fn arithmetic_propagates_null_and_uses_java_semantics() {
    let mut fields = FieldTable::new();
    let n = fields.intern("n");
    // 83 - n == 1
    let mut b = ProgramBuilder::new();
    let c83 = b.add_constant(Constant::Int(83));
    let c1 = b.add_constant(Constant::Int(1));
    b.emit(Instr::PushConst(c83), (0, 2));
    b.emit(Instr::PushField(n), (5, 6));
    b.emit(Instr::Arith(ArithOp::Sub), (0, 6));
    b.emit(Instr::PushConst(c1), (10, 11));
    b.emit(Instr::Cmp(CmpOp::Eq), (0, 11));
    b.emit(Instr::ScriptEnd, (0, 11));
    let program = b.finish().expect("valid");
    let mut vm = Vm::new();
    assert!(vm.matches(&program, &mut EventView::new(&fields, &json!({"n": 82}))));
    assert!(vm.matches(&program, &mut EventView::new(&fields, &json!({"n": "82"}))));
    assert!(!vm.matches(&program, &mut EventView::new(&fields, &json!({"n": 81}))));
    assert!(!vm.matches(&program, &mut EventView::new(&fields, &json!({}))));
}

#[test]
fn bad_operands_are_rejected_when_building() {
    let mut b = ProgramBuilder::new();
    b.emit(Instr::PushConst(7), (0, 0));
    assert!(b.finish().is_err());
    let mut b = ProgramBuilder::new();
    b.emit(Instr::JumpIfTrue(99), (0, 0));
    assert!(b.finish().is_err());
}
