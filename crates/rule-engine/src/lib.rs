//! Rule types, schedules and alerts: what Elastic's detection engine does with a compiled rule.

pub mod alert;
pub mod date_math;
mod engine;
mod error;
pub mod fields;
pub mod index_pattern;
pub mod input;
pub mod new_terms;
pub mod query;
pub mod reason;
mod routing;
mod rule;
pub mod timestamp;

pub use alert::{Alert, AlertRule};
pub use engine::{Engine, EngineOptions, RuleSummary, RunOutput, Summary, event_id, event_index};
pub use error::EngineError;
pub use input::{
    BytesRead, DocumentReader, EventReader, InputError, InputEvent, JsonArrayReader, MalformedLine,
    NdjsonReader, STDIN_NAME, open_events, read_events,
};
pub use query::{Hit, QueryOptions, QueryOutput, ResultPosition, search};
pub use routing::Routing;
pub use rule::{CompiledQuery, DEFAULT_INDEX_PATTERNS, EventCategory, QueryShapeError};
pub use timestamp::EventTime;
