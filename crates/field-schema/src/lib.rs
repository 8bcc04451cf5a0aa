//! Elasticsearch field types and mappings for type-aware rule compilation.
//!
//! A [`Schema`] maps dotted field paths (`process.pid`, `file.path.text`) to a
//! [`FieldSpec`]: the [`FieldType`], the alias target, the multi-fields, the
//! `null_value`, `ignore_above` and the date [`DateFormat`]. The compiler asks it how
//! Elasticsearch would treat a field: [`Schema::resolve`] follows aliases,
//! [`Schema::expand`] expands a wildcard field name as Kibana does over a data view.
//!
//! Sources, each a loader returning a [`SchemaError`] with a stable code:
//! * an Elasticsearch mapping JSON: [`Schema::from_es_mapping`] (and
//!   [`Schema::from_es_qa_mapping`] for the ES EQL QA files);
//! * a flat `{"field": "type"}` JSON: [`Schema::from_flat_json`];
//! * a `path<TAB>type` table: [`Schema::from_tsv`];
//! * detection-rules' non-ECS schema: [`NonEcsSchema`];
//! * the built-in tables: [`builtin::ecs`], [`builtin::endpoint`], [`builtin::endgame`],
//!   [`builtin::non_ecs`], combined per rule by [`Schema::for_index_patterns`].
//!
//! [`IndexPatterns`] says which indices an index pattern list selects: a rule's `index`, or
//! the indices one mapping applies to (Elasticsearch has one mapping per index).
//!
//! ```
//! use field_schema::{FieldType, Schema};
//!
//! let schema = Schema::for_index_patterns(&["winlogbeat-*"]);
//! assert_eq!(schema.field_type("source.ip"), Some(&FieldType::Ip));
//! assert_eq!(
//!     schema.field_type("winlog.event_data.SubjectUserSid"),
//!     Some(&FieldType::Keyword)
//! );
//! ```

pub mod builtin;
mod date;
mod date_math;
mod error;
mod field_type;
mod flat;
pub mod index_pattern;
mod mapping;
mod non_ecs;
mod schema;
mod spec;

pub use date::{
    DEFAULT_DATE_FORMAT, DEFAULT_DATE_NANOS_FORMAT, DateFormat, DateFormatError, parse_date,
};
pub use date_math::{DateMath, DateMathError, date_bound};
pub use error::{JsonSyntaxError, SchemaError, TsvLineError};
pub use field_type::FieldType;
pub use index_pattern::{IndexPatternError, IndexPatterns};
pub use mapping::{QA_KEYWORD_PLACEHOLDER, es_qa_mapping_text};
pub use non_ecs::NonEcsSchema;
pub use schema::{ResolvedField, Schema};
pub use spec::{FieldSpec, MultiField};
