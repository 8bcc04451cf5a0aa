//! What an EQL query compiles to: one program for an event query, or a plan of per-term
//! programs, join keys and limits for sequences and samples, plus the result pipes.

use field_schema::{DateFormat, Schema};
use jiff::Timestamp;
use rule_vm::{FieldId, Program};

use crate::error::CompileWarning;

/// The field types a query compiles against (EQL and KQL).
#[derive(Clone, Copy, Debug, Default)]
pub struct SchemaOptions<'s> {
    /// The mapping of the searched indices; `None` compiles without types (every field a
    /// keyword, no unknown-field warnings).
    pub schema: Option<&'s Schema>,
    /// The clock of date math (`now`); the system clock when `None`.
    pub now: Option<Timestamp>,
    /// Per index name, the date formats of date fields that differ between indices: join
    /// keys on such fields are read per index (EQL samples over several indices).
    pub index_schemas: &'s [(&'s str, &'s Schema)],
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
    /// For a date field: how each index's values are read, so keys compare as instants
    /// (epoch milliseconds) across indices with different formats.
    pub date: Option<DateKey>,
}

/// How a date-typed join key is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateKey {
    /// The format of the field in the merged schema.
    pub format: DateFormat,
    /// Per index name, its own format where it has one.
    pub per_index: Vec<(String, DateFormat)>,
}

impl DateKey {
    /// The format values of `index` are read with.
    pub fn format_for(&self, index: &str) -> &DateFormat {
        self.per_index
            .iter()
            .find(|(name, _)| name == index)
            .map_or(&self.format, |(_, format)| format)
    }
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
