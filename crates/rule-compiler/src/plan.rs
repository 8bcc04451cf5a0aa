//! What an EQL query compiles to: one program for an event query, or a plan of per-term
//! programs, join keys and limits for sequences and samples, plus the result pipes.

use rule_vm::{FieldId, Program};

/// Options of an EQL search that change how a query compiles (ES EQL search API).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EqlOptions {
    /// The field the event category is matched against (`event_category_field`, default
    /// `event.category`).
    pub category_field: String,
}

impl Default for EqlOptions {
    fn default() -> Self {
        EqlOptions { category_field: "event.category".into() }
    }
}

/// A compiled EQL statement.
#[derive(Clone, Debug)]
pub struct CompiledEql {
    /// The query shape and its programs.
    pub plan: EqlPlan,
    /// `| head N` / `| tail N`, in source order.
    pub pipes: Vec<Pipe>,
}

impl CompiledEql {
    /// The category of an event query (`None` for `any`, sequences and samples; their stages
    /// carry their own).
    pub fn category(&self) -> Option<&str> {
        match &self.plan {
            EqlPlan::Event(stage) => stage.category.as_deref(),
            EqlPlan::Sequence(_) | EqlPlan::Sample(_) => None,
        }
    }

    /// Every stage's category, in order (`None` = `any`), including `until`.
    pub fn stage_categories(&self) -> Vec<Option<&str>> {
        match &self.plan {
            EqlPlan::Event(stage) => vec![stage.category.as_deref()],
            EqlPlan::Sequence(seq) => {
                seq.stages.iter().chain(seq.until.as_ref()).map(|s| s.category.as_deref()).collect()
            }
            EqlPlan::Sample(sample) => {
                sample.stages.iter().map(|s| s.category.as_deref()).collect()
            }
        }
    }
}

/// The three query shapes.
#[derive(Clone, Debug)]
pub enum EqlPlan {
    /// `cat where cond`: one stage without keys.
    Event(Stage),
    /// `sequence ...`.
    Sequence(SequencePlan),
    /// `sample ...`.
    Sample(SamplePlan),
}

/// One event filter with its join keys.
#[derive(Clone, Debug)]
pub struct Stage {
    /// The event category (`None` for `any`). The program already tests it.
    pub category: Option<String>,
    /// The filter, category test included.
    pub program: Program,
    /// The join keys: the shared `by` keys first, then the term's own.
    pub keys: Vec<JoinKey>,
    /// `![...]`: a missing-event term.
    pub missing: bool,
    /// The term's span in the query (start, end).
    pub span: (u32, u32),
}

/// A join key: a field whose value(s) must agree across stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinKey {
    /// The field.
    pub field: FieldId,
    /// The field's dotted path.
    pub name: String,
    /// `?field`: a missing value (null) is a valid key.
    pub optional: bool,
}

/// A compiled `sequence`.
#[derive(Clone, Debug)]
pub struct SequencePlan {
    /// The stages in order, `with runs=N` already expanded into N stages.
    pub stages: Vec<Stage>,
    /// `until [...]`.
    pub until: Option<Stage>,
    /// `with maxspan=...` in nanoseconds.
    pub maxspan_nanos: Option<u128>,
}

/// A compiled `sample`.
#[derive(Clone, Debug)]
pub struct SamplePlan {
    /// The filters, in order.
    pub stages: Vec<Stage>,
}

/// A result pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pipe {
    /// `| head N`: the first N results.
    Head(u64),
    /// `| tail N`: the last N results.
    Tail(u64),
}
