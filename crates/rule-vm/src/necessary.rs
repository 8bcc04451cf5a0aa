//! Necessary key terms of a program: exact-value field tests that every matching event
//! passes, so that an engine can index rules by them (performance.md §4.1, a witness).
//!
//! The analysis reads the bytecode, not the query: for each exact test (`Matches` with an
//! exact matcher, `InSet`) outside nested blocks, it explores every path of the program with
//! that test's result fixed to false and every other predicate free (both outcomes). If no
//! path returns true, the test is necessary: an event the program matches passes it. The
//! exploration visits each `(instruction, accumulator)` state once, so it is linear in the
//! program per test, and sound whatever shape the compiler emitted.

use serde_json::Value;

use crate::field::FieldId;
use crate::instr::{Instr, Test};
use crate::matcher::CaseMode;
use crate::program::Program;
use crate::text::{Scalar, fold_into};

/// A test every event the program matches passes: some value of `field`, as text
/// ([`KeyTerm::value_key`]), is one of `values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTerm {
    /// The field tested.
    pub field: FieldId,
    /// How values are compared (`values` are folded when case-insensitive).
    pub case: CaseMode,
    /// The accepted values, normalized for `case`.
    pub values: Vec<Box<str>>,
}

impl KeyTerm {
    /// The text of one field value as the VM compares it in `case` mode (numbers and booleans
    /// in their JSON spelling, folded when case-insensitive); `None` for objects and arrays.
    /// The buffers are scratch space.
    pub fn value_key<'b>(
        value: &'b Value,
        case: CaseMode,
        text_buf: &'b mut String,
        fold_buf: &'b mut String,
    ) -> Option<&'b str> {
        let text = Scalar::from_json(value)?.text(text_buf);
        Some(case.prepare_into(text, fold_buf))
    }
}

impl CaseMode {
    /// [`CaseMode::prepare`] with distinct lifetimes for the value and the scratch buffer.
    fn prepare_into<'b>(self, value: &'b str, scratch: &'b mut String) -> &'b str {
        match self {
            CaseMode::Sensitive => value,
            CaseMode::Insensitive => {
                fold_into(value, scratch);
                scratch
            }
        }
    }
}

impl Program {
    /// Every exact-value test the program's matches must pass, in instruction order.
    pub fn key_terms(&self) -> Vec<KeyTerm> {
        let mut terms = Vec::new();
        for (term, at) in self.exact_tests() {
            let mut failing = vec![false; self.instrs.len()];
            for &pc in &at {
                failing[pc] = true;
            }
            if self.fails_when(&failing) {
                terms.push(term);
            }
        }
        terms
    }

    /// Every distinct exact-value field test (outside scripts) with the instructions that
    /// apply it, in instruction order.
    pub fn exact_tests(&self) -> Vec<(KeyTerm, Vec<usize>)> {
        let mut tests: Vec<(KeyTerm, Vec<usize>)> = Vec::new();
        for (at, instr) in self.instrs.iter().enumerate() {
            let Instr::Test { field, test } = *instr else { continue };
            let Some(term) = self.exact_term(field, test) else { continue };
            match tests.iter_mut().find(|(known, _)| *known == term) {
                Some((_, places)) => places.push(at),
                None => tests.push((term, vec![at])),
            }
        }
        tests
    }

    /// The key term of an exact test, if `test` is one.
    fn exact_term(&self, field: FieldId, test: Test) -> Option<KeyTerm> {
        match test {
            Test::Matches { matcher: number } => {
                let matcher = self.matchers.get(number as usize)?;
                let exact = matcher.exact_text()?;
                Some(KeyTerm { field, case: matcher.case(), values: vec![exact.into()] })
            }
            Test::InSet { set } => {
                let set = self.sets.get(set as usize)?;
                let values = set.normalized_values().map(Into::into).collect();
                Some(KeyTerm { field, case: set.case(), values })
            }
            _ => None,
        }
    }

    /// True if no path through the program returns true when every field test marked in
    /// `failing` (indexed by instruction) is false: then every match passes one of them.
    /// Tests inside nested blocks run on sub-objects and are never assumed.
    pub fn fails_when(&self, failing: &[bool]) -> bool {
        let count = self.instrs.len();
        // Visited states: index 2 * pc + acc.
        let mut seen = vec![false; 2 * count];
        let mut pending = vec![(0_usize, false)];
        while let Some((pc, acc)) = pending.pop() {
            let Some(instr) = self.instrs.get(pc) else {
                // Ran off the end: the result is the accumulator.
                if acc {
                    return false;
                }
                continue;
            };
            let state = 2 * pc + usize::from(acc);
            if seen[state] {
                continue;
            }
            seen[state] = true;
            let next = pc + 1;
            match *instr {
                Instr::Test { .. } if failing.get(pc) == Some(&true) => {
                    pending.push((next, false));
                }
                Instr::Test { .. }
                | Instr::TestAnyField { .. }
                | Instr::ExplicitNull { .. }
                | Instr::ScriptEnd => pending.extend([(next, false), (next, true)]),
                Instr::Nested { end, .. } => {
                    let end = end as usize;
                    pending.extend([(end, false), (end, true)]);
                }
                Instr::Const(value) => pending.push((next, value)),
                Instr::Not => pending.push((next, !acc)),
                Instr::JumpIfFalse(target) => {
                    pending.push((if acc { next } else { target as usize }, acc));
                }
                Instr::JumpIfTrue(target) => {
                    pending.push((if acc { target as usize } else { next }, acc));
                }
                Instr::Return => {
                    if acc {
                        return false;
                    }
                }
                Instr::PushField(_)
                | Instr::PushConst(_)
                | Instr::Call { .. }
                | Instr::Arith(_)
                | Instr::Cmp(_)
                | Instr::Logic(_)
                | Instr::IsNull
                | Instr::ScriptTest(_) => pending.push((next, acc)),
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldTable, ProgramBuilder, StrMatcher, ValueSet};
    use serde_json::json;

    /// `a == "x" and (b : ("y", "z") or not c == "w")`, built as a compiler would.
    fn program(fields: &mut FieldTable) -> Program {
        let field_a = fields.intern("a");
        let field_b = fields.intern("b");
        let field_c = fields.intern("c");
        let mut builder = ProgramBuilder::new();
        let is_x = builder.add_matcher(StrMatcher::exact("x", CaseMode::Sensitive));
        let in_yz = builder.add_set(ValueSet::new(["Y", "z"], CaseMode::Insensitive));
        let is_w = builder.add_matcher(StrMatcher::exact("w", CaseMode::Sensitive));
        builder.emit(Instr::Test { field: field_a, test: Test::Matches { matcher: is_x } }, (0, 1));
        let and = builder.emit(Instr::JumpIfFalse(0), (0, 1));
        builder.emit(Instr::Test { field: field_b, test: Test::InSet { set: in_yz } }, (0, 1));
        let or = builder.emit(Instr::JumpIfTrue(0), (0, 1));
        builder.emit(Instr::Test { field: field_c, test: Test::Matches { matcher: is_w } }, (0, 1));
        builder.emit(Instr::Not, (0, 1));
        let end = builder.here();
        builder.patch_jump(and, end);
        builder.patch_jump(or, end);
        builder.finish().expect("valid program")
    }

    #[test]
    fn only_the_top_level_conjunct_is_necessary() {
        let mut fields = FieldTable::new();
        let program = program(&mut fields);
        let terms = program.key_terms();
        assert_eq!(
            terms,
            vec![KeyTerm {
                field: fields.get("a").expect("interned"),
                case: CaseMode::Sensitive,
                values: vec!["x".into()],
            }]
        );
    }

    #[test]
    fn a_set_of_tests_is_a_witness_when_failing_them_all_fails_the_program() {
        let mut fields = FieldTable::new();
        let program = program(&mut fields);
        let tests = program.exact_tests();
        assert_eq!(tests.len(), 3);
        let failing = |which: &[usize]| {
            let mut mask = vec![false; program.instrs().len()];
            for &test in which {
                for &at in &tests[test].1 {
                    mask[at] = true;
                }
            }
            program.fails_when(&mask)
        };
        assert!(failing(&[0]));
        assert!(!failing(&[1]));
        // `not c == "w"` passes when the test fails: failing b and c still lets it match.
        assert!(!failing(&[1, 2]));
        assert!(failing(&[0, 1, 2]));
    }

    #[test]
    fn a_negated_or_nested_test_is_not_necessary() {
        let mut fields = FieldTable::new();
        let a = fields.intern("a");
        let mut builder = ProgramBuilder::new();
        let x = builder.add_matcher(StrMatcher::exact("x", CaseMode::Sensitive));
        builder.emit(Instr::Test { field: a, test: Test::Matches { matcher: x } }, (0, 1));
        builder.emit(Instr::Not, (0, 1));
        assert!(builder.finish().expect("valid").key_terms().is_empty());

        let mut builder = ProgramBuilder::new();
        let x = builder.add_matcher(StrMatcher::exact("x", CaseMode::Sensitive));
        let nested = builder.emit(Instr::Nested { path: a, end: 0 }, (0, 1));
        builder.emit(Instr::Test { field: a, test: Test::Matches { matcher: x } }, (0, 1));
        let end = builder.here();
        builder.patch_jump(nested, end);
        assert!(builder.finish().expect("valid").key_terms().is_empty());
    }

    #[test]
    fn value_keys_are_the_vm_text() {
        let (mut text, mut fold) = (String::new(), String::new());
        let key = |value: Value, case, text: &mut String, fold: &mut String| {
            KeyTerm::value_key(&value, case, text, fold).map(str::to_owned)
        };
        assert_eq!(
            key(json!(4624), CaseMode::Sensitive, &mut text, &mut fold).as_deref(),
            Some("4624")
        );
        assert_eq!(
            key(json!("CMD.exe"), CaseMode::Insensitive, &mut text, &mut fold).as_deref(),
            Some("cmd.exe")
        );
        assert_eq!(
            key(json!("CMD.exe"), CaseMode::Sensitive, &mut text, &mut fold).as_deref(),
            Some("CMD.exe")
        );
        assert_eq!(key(json!({"a": 1}), CaseMode::Sensitive, &mut text, &mut fold), None);
    }
}
