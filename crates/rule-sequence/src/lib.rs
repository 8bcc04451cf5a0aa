//! EQL sequences and samples with Elasticsearch's semantics, and the EQL search entry point.
//!
//! * [`EqlPlan`] and its parts are what an EQL query compiles to (`rule-compiler` builds them).
//! * [`SequenceMatcher`] runs a compiled [`SequencePlan`] over events fed in
//!   ascending order (join keys, `maxspan`, `until`, missing-event terms), with bounded state.
//! * [`SampleMatcher`] builds samples of a [`SamplePlan`].
//! * [`search`] answers a compiled EQL query like the EQL search API (`size`,
//!   `result_position`, `| head` / `| tail`, `max_samples_per_key`).
//!
//! ```
//! use rule_compiler::{Compiler, EqlOptions};
//! use rule_sequence::{SearchEvent, SearchHits, SearchOptions, search};
//! use serde_json::json;
//!
//! let query = eql_syntax::parse("sequence by user [a where true] [b where true]").unwrap();
//! let mut compiler = Compiler::new();
//! let compiled = compiler.compile_eql(&query, &EqlOptions::default()).unwrap();
//! let events: Vec<SearchEvent> = [("a", 1), ("b", 2)]
//!     .into_iter()
//!     .map(|(category, ms)| SearchEvent {
//!         index: "logs".into(),
//!         id: ms.to_string(),
//!         source: json!({"event": {"category": category}, "user": "bob"}),
//!         timestamp_nanos: Some(ms * 1_000_000),
//!         tiebreaker: None,
//!     })
//!     .collect();
//! let response = search(compiler.fields(), &compiled.plan, &compiled.pipes, &SearchOptions::default(), &events).unwrap();
//! let SearchHits::Sequences(sequences) = &response.hits else { unreachable!() };
//! assert_eq!(sequences[0].events, [Some(0), Some(1)]);
//! assert_eq!(sequences[0].join_keys[0].to_string(), "bob");
//! ```

mod error;
mod key;
mod limits;
mod missing;
mod plan;
mod sample;
mod saved;
mod search;
mod sequence;
mod window;

pub use error::SequenceError;
pub use key::{DateKeys, FloatKey, KeyTuple, KeyValue, key_combinations};
pub use limits::{Limits, MatchSummary};
pub use plan::{DateKey, EqlPlan, JoinKey, Pipe, SamplePlan, SequencePlan, Stage};
pub use sample::{SampleMatch, SampleMatcher};
pub use saved::MatcherState;
pub use search::{
    JoinedHit, SearchEvent, SearchHits, SearchOptions, SearchResponse, Tiebreaker, search,
};
pub use sequence::{EventRef, SequenceMatch, SequenceMatcher};
pub use window::{ResultPosition, ResultWindow};
