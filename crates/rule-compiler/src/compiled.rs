//! What the compiler takes and gives: the schema and EQL options a query compiles with, and
//! the compiled queries with their warnings (the EQL plan types are `rule-sequence`'s, next to
//! the code that runs them).

use field_schema::{IndexPatterns, Schema};
use jiff::Timestamp;
use rule_sequence::{EqlPlan, Pipe};
use rule_vm::Program;

use crate::error::CompileWarning;

/// The field types a query compiles against (EQL and KQL).
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaOptions<'s> {
    /// The mapping of the searched indices; `None` compiles without types (every field a
    /// keyword, no unknown-field warnings).
    pub schema: Option<&'s Schema>,
    /// The clock of date math (`now`); the system clock when `None`.
    pub now: Option<Timestamp>,
    /// The mappings of single indices (`--schema INDEX_PATTERN=FILE`), each with the indices
    /// it applies to: join keys on date fields are read with the format of the event's own
    /// index (EQL samples over indices whose formats differ).
    pub index_schemas: &'s [(IndexPatterns, Schema)],
}

impl SchemaOptions<'_> {
    /// `now`, or the system clock.
    pub(crate) fn now_or_clock(&self) -> Timestamp {
        self.now.unwrap_or_else(Timestamp::now)
    }
}

/// A compiled KQL query.
#[derive(Clone, Debug)]
pub struct CompiledKql {
    /// The program.
    pub program: Program,
    /// What may differ from Elasticsearch (unknown fields, unmapped nested paths).
    pub warnings: Vec<CompileWarning>,
}

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
    /// What may differ from Elasticsearch (unknown fields).
    pub warnings: Vec<CompileWarning>,
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
