//! Rule types, schedules and alerts: what Elastic's detection engine does with a compiled rule.

pub mod alert;
pub mod date_math;
pub mod fields;
pub mod index_pattern;
pub mod input;
pub mod new_terms;
pub mod reason;
pub mod timestamp;
