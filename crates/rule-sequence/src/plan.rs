//! What an EQL query compiles to: one program for an event query, or a plan of per-term
//! programs, join keys and limits for sequences and samples, plus the result pipes. The
//! compiler (`rule-compiler`) builds these; this crate and the engine run them.

use field_schema::{DateFormat, IndexPatterns};
use rule_vm::{FieldId, Program};

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
    /// The format of the field in the mappings of single indices, with the indices each
    /// applies to.
    pub per_index: Vec<(IndexPatterns, DateFormat)>,
}

impl DateKey {
    /// The format values of `index` are read with: that of the last mapping applying to
    /// `index` that maps the field, else the merged one.
    pub fn format_for(&self, index: &str) -> &DateFormat {
        self.per_index
            .iter()
            .rev()
            .find(|(indices, _)| indices.matches(index))
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
