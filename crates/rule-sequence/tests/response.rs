//! The EQL search API response shape (snapshots) and plan errors.

mod support;

use rule_compiler::{Compiler, EqlOptions};
use rule_sequence::{EqlPlan, SearchOptions, SequenceError, search};
use serde_json::json;
use support::{event, run_with};

#[test]
fn sequence_response_with_a_missing_event_placeholder() {
    let events =
        [event(1, 1, "a", &json!({"user": "bob"})), event(2, 2, "b", &json!({"user": "bob"}))];
    let query = "sequence by user with maxspan=1s [a where true] ![c where true] [b where true]";
    let response = run_with(query, &events, &SearchOptions::default());
    insta::assert_json_snapshot!(response.to_json(&events));
}

#[test]
fn event_query_response() {
    let events = [event(1, 1, "a", &json!({})), event(2, 2, "b", &json!({}))];
    let response = run_with("a where true", &events, &SearchOptions::default());
    insta::assert_json_snapshot!(response.to_json(&events));
}

fn plan_error(query: &str, edit: impl FnOnce(&mut EqlPlan)) -> SequenceError {
    let parsed = eql_syntax::parse(query).expect("query parses");
    let mut eql = Compiler::new();
    let mut compiled = eql.compile_eql(&parsed, &EqlOptions::default()).expect("query compiles");
    edit(&mut compiled.plan);
    search(eql.fields(), &compiled.plan, &compiled.pipes, &SearchOptions::default(), &[])
        .expect_err("plan is refused")
}

#[test]
fn plans_elasticsearch_refuses_are_errors() {
    // The parser already rejects `![...]` without maxspan; a hand-built plan is checked too.
    let drop_maxspan = |plan: &mut EqlPlan| {
        if let EqlPlan::Sequence(sequence) = plan {
            sequence.maxspan_nanos = None;
        }
    };
    assert_eq!(
        plan_error(
            "sequence with maxspan=1s [a where true] ![b where true] [a where true]",
            drop_maxspan
        ),
        SequenceError::MissingWithoutMaxspan
    );
    let keep = |_: &mut EqlPlan| {};
    assert_eq!(
        plan_error("sample [a where true] [b where true]", keep),
        SequenceError::SampleWithoutKeys
    );
    let drop_second_keys = |plan: &mut EqlPlan| {
        if let EqlPlan::Sequence(sequence) = plan {
            sequence.stages[1].keys.clear();
        }
    };
    assert!(matches!(
        plan_error("sequence by x [a where true] [b where true]", drop_second_keys),
        SequenceError::JoinKeyCount { term: 2, expected: 1, found: 0 }
    ));
}
