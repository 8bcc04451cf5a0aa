//! [`Trace`]: the record of one traced run of a program over one event (each executed
//! instruction, its outcome and the field values it read, and the verdict), the deciding
//! predicate, and a listing of it against the query text.
//!
//! The interpreter reports to an [`Observer`]; the untraced entry point uses [`NoTrace`],
//! whose reports are skipped at compile time (`Observer::ACTIVE` is a constant), so tracing
//! costs nothing when it is off.

use crate::field::FieldTable;
use crate::instr::Instr;
use crate::program::Program;
use crate::script::ScriptValue;
use serde_json::Value;
use std::fmt;

/// At most this many values of a field are kept per step.
pub const MAX_VALUES: usize = 4;
/// A kept value's JSON text is cut after this many chars.
const MAX_VALUE_CHARS: usize = 120;
/// A query excerpt in a listing is cut after this many chars.
const MAX_EXCERPT_CHARS: usize = 100;

/// What one executed instruction did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A predicate set the accumulator: a field test, an explicit-null test, a nested block,
    /// or the end of a script (true only when the script's value is `true`).
    Predicate(bool),
    /// A constant set the accumulator.
    Const(bool),
    /// `not` flipped the accumulator to this value.
    Not(bool),
    /// A conditional jump, taken or not.
    Jump {
        /// True if execution jumped.
        taken: bool,
    },
    /// A script instruction pushed this value.
    Value(ScriptValue<'static>),
    /// The program returned this verdict.
    Return(bool),
}

/// One executed instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The instruction's index in the program (its span is `program.spans()[at]`).
    pub at: usize,
    /// How many `nested` blocks enclose it (0 at top level; inside a block the event is one
    /// object of the nested field).
    pub depth: usize,
    /// What it did.
    pub outcome: Outcome,
    /// The values it read, as JSON text: a field's values for a field test or push (at most
    /// [`MAX_VALUES`]), or `path = value` of the leaf that matched a test over every field.
    pub values: Vec<String>,
    /// How many more values the field had than `values` holds.
    pub more_values: usize,
}

impl Step {
    /// True if the step set the accumulator from scratch (a predicate or a constant), so the
    /// verdict depends on it unless a later one does the same.
    pub fn sets_verdict(&self) -> bool {
        matches!(self.outcome, Outcome::Predicate(_) | Outcome::Const(_))
    }
}

/// The record of one traced run (see [`Vm::trace`](crate::Vm::trace)).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The executed instructions, in execution order (a nested block's inner steps come
    /// before the block's own step).
    pub steps: Vec<Step>,
    /// Whether the event matched.
    pub verdict: bool,
}

impl Trace {
    /// The step that decided the verdict: the last top-level predicate (or constant) that
    /// set the accumulator. Jumps only skip code and `not` only flips the value, so the
    /// verdict is this step's result through the `not`s executed after it.
    pub fn deciding(&self) -> Option<&Step> {
        self.deciding_index().and_then(|index| self.steps.get(index))
    }

    /// The index in [`Trace::steps`] of the [deciding](Trace::deciding) step.
    pub fn deciding_index(&self) -> Option<usize> {
        self.steps.iter().rposition(|step| step.depth == 0 && step.sets_verdict())
    }

    /// A [`Display`](fmt::Display)able listing of the trace, each step shown with the part
    /// of `source` (the query text the program was compiled from) that its span covers.
    pub fn listing<'t>(
        &'t self,
        program: &'t Program,
        fields: &'t FieldTable,
        source: &'t str,
    ) -> TraceListing<'t> {
        TraceListing { trace: self, program, fields, source }
    }
}

/// A trace listing (see [`Trace::listing`]).
///
/// One line per step: the instruction index, a `*` on the deciding step, the query text of
/// a predicate (or the instruction itself for control flow), the outcome, and the field values
/// read. The last line gives the verdict.
pub struct TraceListing<'t> {
    trace: &'t Trace,
    program: &'t Program,
    fields: &'t FieldTable,
    source: &'t str,
}

impl fmt::Display for TraceListing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let deciding = self.trace.deciding_index();
        let steps = &self.trace.steps;
        let mut index = 0;
        while let Some(step) = steps.get(index) {
            let mark = if deciding == Some(index) { '*' } else { ' ' };
            let indent = "  ".repeat(step.depth);
            let what = self.describe(step);
            write!(f, "{:>3} {mark} {indent}{what}", step.at)?;
            let negated = steps.get(index + 1).filter(|next| self.negates(step, next));
            match (&step.outcome, negated) {
                // `f != v` is a test and a `not` over the same text: one line, the final value.
                (Outcome::Predicate(_), Some(Step { outcome: Outcome::Not(b), .. })) => {
                    write!(f, "  -> {b}")?;
                    index += 1;
                }
                (Outcome::Predicate(b) | Outcome::Const(b) | Outcome::Not(b), _) => {
                    write!(f, "  -> {b}")?;
                }
                (Outcome::Jump { taken }, _) => {
                    f.write_str(if *taken { "  -> jump" } else { "  -> go on" })?;
                }
                (Outcome::Value(value), _) => write!(f, "  = {value}")?,
                (Outcome::Return(b), _) => write!(f, "  -> {}", verdict_word(*b))?,
            }
            self.write_values(f, step)?;
            writeln!(f)?;
            index += 1;
        }
        match self.trace.deciding() {
            Some(step) => writeln!(
                f,
                "verdict: {} (decided by instruction {})",
                verdict_word(self.trace.verdict),
                step.at
            ),
            None => writeln!(f, "verdict: {}", verdict_word(self.trace.verdict)),
        }
    }
}

impl TraceListing<'_> {
    /// True if `next` is a `not` over the same query text as the predicate `step`.
    fn negates(&self, step: &Step, next: &Step) -> bool {
        let spans = self.program.spans();
        matches!(step.outcome, Outcome::Predicate(_))
            && matches!(next.outcome, Outcome::Not(_))
            && next.depth == step.depth
            && spans.get(step.at).is_some()
            && spans.get(step.at) == spans.get(next.at)
    }

    /// The query text of a predicate or pushed value, or the instruction's listing text for
    /// control flow (and for instructions whose span has no text).
    fn describe(&self, step: &Step) -> String {
        let instr = self.program.instrs().get(step.at);
        let shows_source = !matches!(
            instr,
            None | Some(
                Instr::Const(_)
                    | Instr::Not
                    | Instr::JumpIfFalse(_)
                    | Instr::JumpIfTrue(_)
                    | Instr::Return
            )
        );
        let excerpt = self
            .program
            .spans()
            .get(step.at)
            .and_then(|&(start, end)| self.source.get(start as usize..end as usize))
            .map(one_line)
            .filter(|text| !text.is_empty());
        match (shows_source, excerpt) {
            (true, Some(text)) => match self.field_of(step) {
                // A span that covers only the value (KQL `f: v`, an EQL category) gets its field.
                Some(name) if !text.contains(name) => format!("{name}: {text}"),
                _ => text,
            },
            _ => self.program.instr_text(step.at, self.fields),
        }
    }

    /// The field an instruction reads, if it reads one.
    fn field_of(&self, step: &Step) -> Option<&str> {
        match self.program.instrs().get(step.at) {
            Some(
                Instr::Test { field, .. }
                | Instr::PushField(field)
                | Instr::ExplicitNull { field }
                | Instr::Nested { path: field, .. },
            ) => Some(self.fields.name(*field)),
            _ => None,
        }
    }

    fn write_values(&self, f: &mut fmt::Formatter<'_>, step: &Step) -> fmt::Result {
        if step.values.is_empty() {
            return Ok(());
        }
        f.write_str("  (")?;
        if let Some(name) = self.field_of(step) {
            write!(f, "{name} = ")?;
        }
        if step.values.len() == 1 && step.more_values == 0 {
            f.write_str(&step.values[0])?;
        } else {
            write!(f, "[{}", step.values.join(", "))?;
            if step.more_values > 0 {
                write!(f, ", … {} more", step.more_values)?;
            }
            f.write_str("]")?;
        }
        f.write_str(")")
    }
}

fn verdict_word(matched: bool) -> &'static str {
    if matched { "match" } else { "no match" }
}

/// `text` on one line (runs of whitespace become one space), cut to a readable length.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    cut(&joined, MAX_EXCERPT_CHARS)
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The kept JSON texts of `values` and how many were left out.
pub(crate) fn kept_values(values: &[&Value]) -> (Vec<String>, usize) {
    let kept = values
        .iter()
        .take(MAX_VALUES)
        .map(|value| cut(&value.to_string(), MAX_VALUE_CHARS))
        .collect();
    (kept, values.len().saturating_sub(MAX_VALUES))
}

/// `path = value` of a matching leaf, as a step's value text.
pub(crate) fn leaf_text(path: &str, value: &Value) -> String {
    cut(&format!("{path} = {value}"), MAX_VALUE_CHARS)
}

/// Receives the interpreter's reports. `ACTIVE` is a constant so an inactive observer's
/// reports (and the work of building them) are removed at compile time.
pub(crate) trait Observer {
    /// False for [`NoTrace`].
    const ACTIVE: bool;
    /// An instruction at `at` (at the current nesting depth) finished with `outcome`.
    fn step(&mut self, at: usize, outcome: Outcome, values: (Vec<String>, usize));
    /// Execution enters a nested block.
    fn enter(&mut self);
    /// Execution leaves a nested block.
    fn leave(&mut self);
}

/// The observer of untraced runs: does nothing.
pub(crate) struct NoTrace;

impl Observer for NoTrace {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn step(&mut self, _: usize, _: Outcome, _: (Vec<String>, usize)) {}
    #[inline(always)]
    fn enter(&mut self) {}
    #[inline(always)]
    fn leave(&mut self) {}
}

/// The observer of traced runs: builds a [`Trace`].
#[derive(Default)]
pub(crate) struct Tracer {
    pub(crate) trace: Trace,
    depth: usize,
}

impl Observer for Tracer {
    const ACTIVE: bool = true;
    fn step(&mut self, at: usize, outcome: Outcome, (values, more_values): (Vec<String>, usize)) {
        self.trace.steps.push(Step { at, depth: self.depth, outcome, values, more_values });
    }
    fn enter(&mut self) {
        self.depth += 1;
    }
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
