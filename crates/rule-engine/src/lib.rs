//! Rule types, schedules and alerts: what Elastic's detection engine does with a compiled rule.

pub mod alert;
mod compact_json;
pub mod date_math;
mod engine;
mod error;
pub mod fields;
mod held_events;
pub use field_schema::index_pattern;
pub mod new_terms;
mod persist;
pub mod query;
pub mod reason;
mod routing;
mod rule;
pub mod schedule;
mod sequence_alert;
mod sequence_rule;
mod sequences;
pub mod suppression;
pub mod threshold;
pub mod timestamp;
mod witness;

pub use alert::{Alert, AlertRule};
pub use engine::{Engine, EngineOptions, RuleSummary, RunOutput, Summary, event_id, event_index};
pub use error::EngineError;
pub use persist::{PersistentEngine, rule_fingerprint};
pub use query::{Hit, QueryOptions, QueryOutput, QueryResults, ResultPosition, search};
pub use routing::Routing;
pub use rule::{CompiledQuery, DEFAULT_INDEX_PATTERNS, EventCategory, QueryShapeError};
pub use rule_sequence::{Limits, MatchSummary};
pub use rule_state::{StateError, StateStore};
pub use schedule::{Execution, Schedule, ScheduleCounts};
pub use sequence_rule::{SequenceCounts, SequenceOptions};
pub use timestamp::EventTime;
