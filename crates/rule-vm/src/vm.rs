//! [`Vm`]: runs a [`Program`] over one [`EventView`].
//!
//! Field tests are two-valued with "any value" semantics (ES term/range/wildcard queries on a
//! multi-valued field match if one value matches; a missing field matches nothing, eql.md §1.5
//! and §1.6, kql.md §2.3). The VM owns scratch buffers (case folding, number text, the script
//! stack, leaf paths) that are reused, so a warm VM does not allocate for field tests.
//!
//! One interpreter loop serves three entry points: [`Vm::matches`] (the hot path),
//! [`Vm::trace`] (the same run, reporting each step to a [`Tracer`]) and [`Vm::evaluate`] (a
//! script's value, for constant folding). The loop is generic over its [`Observer`]; the
//! untraced observer's reports are compiled out.

use crate::analyzer::TokenBuf;
use crate::event::EventView;
use crate::instr::{Instr, Test};
use crate::program::Program;
use crate::script::{self, ScriptValue};
use crate::text::Scalar;
use crate::trace::{NoTrace, Observer, Outcome, Trace, Tracer, kept_values, leaf_text};
use serde_json::Value;

/// The interpreter and its reusable scratch space.
#[derive(Default)]
pub struct Vm {
    fold_buf: String,
    text_buf: String,
    path_buf: String,
    path_fold_buf: String,
    tokens: TokenBuf,
    stack: Vec<ScriptValue<'static>>,
}

/// The buffers a test needs.
pub(crate) struct Scratch<'s> {
    fold_buf: &'s mut String,
    text_buf: &'s mut String,
    tokens: &'s mut TokenBuf,
}

impl Vm {
    /// A VM with empty scratch buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `program` over `event`; true if the event matches.
    pub fn matches(&mut self, program: &Program, event: &mut EventView<'_>) -> bool {
        let mut stack = retype(std::mem::take(&mut self.stack));
        let result = self.run(program, event, &mut stack, 0, program.instrs.len(), &mut NoTrace);
        stack.clear();
        self.stack = retype(stack);
        result
    }

    /// Runs `program` over `event` like [`Vm::matches`], recording every executed
    /// instruction, its outcome and the field values it read (see [`Trace`]).
    pub fn trace(&mut self, program: &Program, event: &mut EventView<'_>) -> Trace {
        let mut stack = retype(std::mem::take(&mut self.stack));
        let mut tracer = Tracer::default();
        let verdict = self.run(program, event, &mut stack, 0, program.instrs.len(), &mut tracer);
        stack.clear();
        self.stack = retype(stack);
        tracer.trace.verdict = verdict;
        tracer.trace
    }

    /// Runs a value program (script instructions without the closing `ScriptEnd`, then
    /// `Return`) over `event` and returns the value it leaves on the script stack (null if
    /// it leaves none). Compilers fold constant expressions with it.
    pub fn evaluate(
        &mut self,
        program: &Program,
        event: &mut EventView<'_>,
    ) -> ScriptValue<'static> {
        let mut stack = retype(std::mem::take(&mut self.stack));
        self.run(program, event, &mut stack, 0, program.instrs.len(), &mut NoTrace);
        let value = stack.pop().map_or(ScriptValue::Null, ScriptValue::into_owned);
        stack.clear();
        self.stack = retype(stack);
        value
    }

    /// Runs the instructions `start..end` (a whole program, or a nested block), reporting to
    /// `observer`.
    fn run<'s, 'p: 's, 'e: 's, O: Observer>(
        &mut self,
        program: &'p Program,
        event: &mut EventView<'e>,
        stack: &mut Vec<ScriptValue<'s>>,
        start: usize,
        end: usize,
        observer: &mut O,
    ) -> bool {
        let mut acc = false;
        let mut pc = start;
        while pc < end {
            let Some(instr) = program.instrs.get(pc) else { break };
            let at = pc;
            pc += 1;
            match *instr {
                Instr::ExplicitNull { field } => {
                    acc =
                        crate::null_value::holds_explicit_null(event.event(), event.table(), field);
                    if O::ACTIVE {
                        let values = kept_values(event.values(field));
                        observer.step(at, Outcome::Predicate(acc), values);
                    }
                }
                Instr::Nested { path, end: block_end } => {
                    let block_end = block_end as usize;
                    let table = event.table();
                    let elements: Vec<&'e Value> = event.values(path).to_vec();
                    observer.enter();
                    acc =
                        elements.into_iter().filter(|element| element.is_object()).any(|element| {
                            let mut inner = EventView::new(table, element);
                            let mut inner_stack = Vec::new();
                            self.run(program, &mut inner, &mut inner_stack, pc, block_end, observer)
                        });
                    observer.leave();
                    if O::ACTIVE {
                        observer.step(at, Outcome::Predicate(acc), (Vec::new(), 0));
                    }
                    pc = block_end;
                }
                Instr::Test { field, test } => {
                    let mut scratch = Scratch {
                        fold_buf: &mut self.fold_buf,
                        text_buf: &mut self.text_buf,
                        tokens: &mut self.tokens,
                    };
                    acc = event
                        .values(field)
                        .iter()
                        .any(|value| test_json(program, test, value, &mut scratch));
                    if O::ACTIVE {
                        let values = kept_values(event.values(field));
                        observer.step(at, Outcome::Predicate(acc), values);
                    }
                }
                Instr::TestAnyField { paths, test } => {
                    let mut scratch = Scratch {
                        fold_buf: &mut self.fold_buf,
                        text_buf: &mut self.text_buf,
                        tokens: &mut self.tokens,
                    };
                    let paths = paths.and_then(|m| program.matchers.get(m as usize));
                    self.path_buf.clear();
                    let path_fold = &mut self.path_fold_buf;
                    let mut matched = None;
                    acc = any_leaf(event.event(), &mut self.path_buf, &mut |path, value| {
                        let path_ok = paths.is_none_or(|matcher| matcher.is_match(path, path_fold));
                        let found = path_ok && test_json(program, test, value, &mut scratch);
                        if O::ACTIVE && found {
                            matched = Some(leaf_text(path, value));
                        }
                        found
                    });
                    if O::ACTIVE {
                        let values = matched.into_iter().collect();
                        observer.step(at, Outcome::Predicate(acc), (values, 0));
                    }
                }
                Instr::Const(b) => {
                    acc = b;
                    if O::ACTIVE {
                        observer.step(at, Outcome::Const(acc), (Vec::new(), 0));
                    }
                }
                Instr::Not => {
                    acc = !acc;
                    if O::ACTIVE {
                        observer.step(at, Outcome::Not(acc), (Vec::new(), 0));
                    }
                }
                Instr::JumpIfFalse(target) => {
                    if !acc {
                        pc = target as usize;
                    }
                    if O::ACTIVE {
                        observer.step(at, Outcome::Jump { taken: !acc }, (Vec::new(), 0));
                    }
                }
                Instr::JumpIfTrue(target) => {
                    if acc {
                        pc = target as usize;
                    }
                    if O::ACTIVE {
                        observer.step(at, Outcome::Jump { taken: acc }, (Vec::new(), 0));
                    }
                }
                Instr::Return => {
                    if O::ACTIVE {
                        observer.step(at, Outcome::Return(acc), (Vec::new(), 0));
                    }
                    return acc;
                }
                Instr::PushField(field) => {
                    let first: Option<&'e Value> = event.values(field).first().copied();
                    let value = first.and_then(Scalar::from_json);
                    stack.push(value.map_or(ScriptValue::Null, ScriptValue::from_scalar));
                    if O::ACTIVE {
                        let values = kept_values(event.values(field));
                        report_push(observer, at, stack, values);
                    }
                }
                Instr::PushConst(n) => {
                    stack.push(
                        program
                            .constants
                            .get(n as usize)
                            .map_or(ScriptValue::Null, ScriptValue::from_constant),
                    );
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::Call { func, argc, case_insensitive } => {
                    let from = stack.len().saturating_sub(usize::from(argc));
                    let result = script::call(func, &stack[from..], case_insensitive);
                    stack.truncate(from);
                    stack.push(result);
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::Arith(op) => {
                    let result = if op == crate::ArithOp::Neg {
                        let a = stack.pop().unwrap_or(ScriptValue::Null);
                        script::arith(op, &a, &ScriptValue::Int(0))
                    } else {
                        let b = stack.pop().unwrap_or(ScriptValue::Null);
                        let a = stack.pop().unwrap_or(ScriptValue::Null);
                        script::arith(op, &a, &b)
                    };
                    stack.push(result);
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::Cmp(op) => {
                    let b = stack.pop().unwrap_or(ScriptValue::Null);
                    let a = stack.pop().unwrap_or(ScriptValue::Null);
                    stack.push(script::compare(op, &a, &b));
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::Logic(op) => {
                    let result = if op == crate::LogicOp::Not {
                        let a = stack.pop().unwrap_or(ScriptValue::Null);
                        script::logic(op, &a, &ScriptValue::Null)
                    } else {
                        let b = stack.pop().unwrap_or(ScriptValue::Null);
                        let a = stack.pop().unwrap_or(ScriptValue::Null);
                        script::logic(op, &a, &b)
                    };
                    stack.push(result);
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::IsNull => {
                    let a = stack.pop().unwrap_or(ScriptValue::Null);
                    stack.push(ScriptValue::Bool(script::is_null(&a)));
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::ScriptTest(test) => {
                    let a = stack.pop().unwrap_or(ScriptValue::Null);
                    let mut scratch = Scratch {
                        fold_buf: &mut self.fold_buf,
                        text_buf: &mut self.text_buf,
                        tokens: &mut self.tokens,
                    };
                    let result = match a.as_scalar() {
                        None => ScriptValue::Null,
                        Some(scalar) => {
                            ScriptValue::Bool(test_scalar(program, test, scalar, &mut scratch))
                        }
                    };
                    stack.push(result);
                    if O::ACTIVE {
                        report_push(observer, at, stack, (Vec::new(), 0));
                    }
                }
                Instr::ScriptEnd => {
                    acc = matches!(stack.pop(), Some(ScriptValue::Bool(true)));
                    stack.clear();
                    if O::ACTIVE {
                        observer.step(at, Outcome::Predicate(acc), (Vec::new(), 0));
                    }
                }
            }
        }
        acc
    }
}

/// Reports the value a script instruction just pushed.
fn report_push<O: Observer>(
    observer: &mut O,
    at: usize,
    stack: &[ScriptValue<'_>],
    values: (Vec<String>, usize),
) {
    let top = stack.last().map_or(ScriptValue::Null, |value| value.clone().into_owned());
    observer.step(at, Outcome::Value(top), values);
}

/// Re-types an empty script stack to another lifetime, keeping its allocation.
fn retype<'y>(mut stack: Vec<ScriptValue<'_>>) -> Vec<ScriptValue<'y>> {
    stack.clear();
    stack.into_iter().map(|_| ScriptValue::Null).collect()
}

/// Calls `f(path, leaf)` on every non-null scalar leaf of `value` until it returns true.
/// `path` holds the dotted path of the leaf (array indexes are not part of paths).
fn any_leaf(value: &Value, path: &mut String, f: &mut dyn FnMut(&str, &Value) -> bool) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|item| any_leaf(item, path, f)),
        Value::Object(map) => map.iter().any(|(key, child)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = any_leaf(child, path, f);
            path.truncate(len);
            found
        }),
        _ => f(path, value),
    }
}

/// Whether one JSON scalar passes `test` (off the hot path: the compiler's `null_value` check).
pub(crate) fn test_value(program: &Program, test: Test, value: &Value) -> bool {
    let (mut fold_buf, mut text_buf, mut tokens) =
        (String::new(), String::new(), TokenBuf::default());
    let mut scratch =
        Scratch { fold_buf: &mut fold_buf, text_buf: &mut text_buf, tokens: &mut tokens };
    test_json(program, test, value, &mut scratch)
}

fn test_json(program: &Program, test: Test, value: &Value, scratch: &mut Scratch<'_>) -> bool {
    if test == Test::Exists {
        return true;
    }
    Scalar::from_json(value).is_some_and(|scalar| test_scalar(program, test, scalar, scratch))
}

fn test_scalar(
    program: &Program,
    test: Test,
    scalar: Scalar<'_>,
    scratch: &mut Scratch<'_>,
) -> bool {
    match test {
        Test::Exists => true,
        Test::Matches { matcher } => program
            .matchers
            .get(matcher as usize)
            .is_some_and(|m| m.is_match(scalar.text(scratch.text_buf), scratch.fold_buf)),
        Test::InSet { set } => program
            .sets
            .get(set as usize)
            .is_some_and(|s| s.contains(scalar.text(scratch.text_buf), scratch.fold_buf)),
        Test::Compare { op, bound } => {
            let Some(bound) = program.bounds.get(bound as usize) else { return false };
            if let (Scalar::Int(i), Some(b)) = (scalar, bound.integer) {
                return op.holds(i.cmp(&b));
            }
            if let Some(b) = bound.number
                && let Some(v) = scalar.number()
            {
                return v.partial_cmp(&b).is_some_and(|o| op.holds(o));
            }
            op.holds(scalar.text(scratch.text_buf).cmp(&bound.text))
        }
        Test::Regex { regex } => program
            .regexes
            .get(regex as usize)
            .is_some_and(|re| re.is_match(scalar.text(scratch.text_buf))),
        Test::Cidr { cidrs } => program.cidrs.get(cidrs as usize).is_some_and(|blocks| {
            let ip = scalar.text(scratch.text_buf);
            blocks.iter().any(|block| block.contains_text(ip))
        }),
        Test::Tokens { query } => program.token_queries.get(query as usize).is_some_and(|q| {
            scratch.tokens.fill(scalar.text(scratch.text_buf));
            q.is_match(scratch.tokens, scratch.fold_buf)
        }),
        Test::Date { range } => program
            .date_ranges
            .get(range as usize)
            .is_some_and(|r| r.contains(scalar, scratch.text_buf)),
        Test::Version { op, bound } => program.versions.get(bound as usize).is_some_and(|bound| {
            op.holds(crate::version::Version::parse(scalar.text(scratch.text_buf)).cmp(bound))
        }),
        Test::IpRange { range } => program
            .ip_ranges
            .get(range as usize)
            .is_some_and(|r| r.contains(scalar, scratch.text_buf)),
    }
}
