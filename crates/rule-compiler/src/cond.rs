//! The lowered boolean tree shared by the EQL and KQL lowerings, and its emission as bytecode
//! with short-circuit jumps.
//!
//! Leaves are single predicate instructions or whole scripts; `and`/`or`/`not` are two-valued
//! (Elasticsearch `bool` queries). Constant children are folded away while building.

use rule_vm::{Instr, ProgramBuilder};

/// A query span as the VM's debug table stores it.
pub(crate) type DebugSpan = (u32, u32);

/// A lowered condition.
#[derive(Clone, Debug)]
pub(crate) enum Cond {
    /// Always true / always false.
    Const(bool),
    /// One predicate instruction (`Test` or `TestAnyField`).
    Leaf(Instr, DebugSpan),
    /// A script: stack instructions ending with `ScriptEnd`.
    Script(Vec<(Instr, DebugSpan)>),
    /// Negation.
    Not(Box<Cond>, DebugSpan),
    /// Conjunction (short-circuit).
    And(Vec<Cond>),
    /// Disjunction (short-circuit).
    Or(Vec<Cond>),
    /// An ES `nested` query: the inner condition holds on one object of the field's array
    /// (the inner fields are interned relative to that object).
    Nested(rule_vm::FieldId, Box<Cond>, DebugSpan),
}

impl Cond {
    /// `not c`, folding constants and double negation.
    pub(crate) fn not(cond: Cond, span: DebugSpan) -> Cond {
        match cond {
            Cond::Const(b) => Cond::Const(!b),
            Cond::Not(inner, _) => *inner,
            other => Cond::Not(Box::new(other), span),
        }
    }

    /// The conjunction of `conds`, flattened, with constants folded.
    pub(crate) fn and(conds: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(conds.len());
        for cond in conds {
            match cond {
                Cond::Const(true) => {}
                Cond::Const(false) => return Cond::Const(false),
                Cond::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::Const(true),
            1 => out.pop().unwrap_or(Cond::Const(true)),
            _ => Cond::And(out),
        }
    }

    /// The disjunction of `conds`, flattened, with constants folded.
    pub(crate) fn or(conds: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(conds.len());
        for cond in conds {
            match cond {
                Cond::Const(false) => {}
                Cond::Const(true) => return Cond::Const(true),
                Cond::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::Const(false),
            1 => out.pop().unwrap_or(Cond::Const(false)),
            _ => Cond::Or(out),
        }
    }

    /// Emits the condition; afterwards the accumulator holds its value.
    pub(crate) fn emit(&self, b: &mut ProgramBuilder, span: DebugSpan) {
        match self {
            Cond::Const(value) => {
                b.emit(Instr::Const(*value), span);
            }
            Cond::Leaf(instr, span) => {
                b.emit(*instr, *span);
            }
            Cond::Script(instrs) => {
                for (instr, span) in instrs {
                    b.emit(*instr, *span);
                }
            }
            Cond::Not(inner, span) => {
                inner.emit(b, *span);
                b.emit(Instr::Not, *span);
            }
            Cond::Nested(path, inner, span) => {
                let block = b.emit(Instr::Nested { path: *path, end: 0 }, *span);
                inner.emit(b, *span);
                let end = b.here();
                b.patch_jump(block, end);
            }
            Cond::And(children) | Cond::Or(children) => {
                let is_and = matches!(self, Cond::And(_));
                let mut jumps = Vec::with_capacity(children.len());
                for (index, child) in children.iter().enumerate() {
                    child.emit(b, span);
                    if index + 1 < children.len() {
                        let jump =
                            if is_and { Instr::JumpIfFalse(0) } else { Instr::JumpIfTrue(0) };
                        jumps.push(b.emit(jump, span));
                    }
                }
                let end = b.here();
                for jump in jumps {
                    b.patch_jump(jump, end);
                }
            }
        }
    }
}
