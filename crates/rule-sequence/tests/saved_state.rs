//! Saving a matcher's state and restoring it: a stream split anywhere, with the state saved,
//! serialised and restored at the split, finds what one matcher over the whole stream finds.

use std::sync::Arc;

use rule_compiler::{Compiler, EqlOptions};
use rule_sequence::{
    EqlPlan, EventRef, Limits, MatcherState, ResultWindow, SequenceError, SequenceMatch,
    SequenceMatcher, SequencePlan,
};
use rule_vm::{EventView, Vm};
use serde_json::{Value, json};

fn plan(query: &str) -> (Compiler, Arc<SequencePlan>) {
    let parsed = eql_syntax::parse(query).expect("parses");
    let mut compiler = Compiler::new();
    let eql = compiler.compile_eql(&parsed, &EqlOptions::default()).expect("compiles");
    let EqlPlan::Sequence(plan) = eql.plan else { panic!("a sequence plan") };
    (compiler, Arc::new(plan))
}

fn matcher(plan: &Arc<SequencePlan>) -> SequenceMatcher {
    SequenceMatcher::new(Arc::clone(plan), Limits::default(), ResultWindow::streaming())
        .expect("valid plan")
}

const STREAM: [(&str, &str, i64); 12] = [
    ("a", "x", 1),
    ("a", "y", 2),
    ("b", "x", 3),
    ("c", "y", 4),
    ("b", "y", 5),
    ("a", "x", 6),
    ("c", "x", 8),
    ("b", "x", 20),
    ("a", "y", 21),
    ("b", "y", 22),
    ("a", "x", 40),
    ("b", "x", 41),
];

fn feed(
    compiler: &Compiler,
    matcher: &mut SequenceMatcher,
    range: std::ops::Range<usize>,
) -> Vec<SequenceMatch> {
    let mut vm = Vm::new();
    let mut found = Vec::new();
    for position in range {
        let (category, user, ms) = STREAM[position];
        let event: Value = json!({"event": {"category": category}, "user": user});
        let mut view = EventView::new(compiler.fields(), &event);
        matcher.push(EventRef(position), ms * 1_000_000, &mut view, &mut vm);
        found.extend(matcher.drain_completed());
    }
    found
}

fn split_runs_match_one_run(query: &str) {
    let (compiler, plan) = plan(query);
    let mut whole = matcher(&plan);
    let mut expected = feed(&compiler, &mut whole, 0..STREAM.len());
    expected.extend(whole.finish().0);
    assert!(!expected.is_empty(), "{query}: the stream should find sequences");
    for split in 0..=STREAM.len() {
        let mut first = matcher(&plan);
        let mut found = feed(&compiler, &mut first, 0..split);
        let saved = serde_json::to_string(&first.save()).expect("serialises");
        let state: MatcherState = serde_json::from_str(&saved).expect("deserialises");
        let mut second = SequenceMatcher::restore(
            Arc::clone(&plan),
            Limits::default(),
            ResultWindow::streaming(),
            state,
        )
        .expect("restores");
        found.extend(feed(&compiler, &mut second, split..STREAM.len()));
        found.extend(second.finish().0);
        assert_eq!(found, expected, "{query}: split at {split}");
    }
}

#[test]
fn sequences_span_a_saved_state() {
    split_runs_match_one_run("sequence by user [a where true] [b where true]");
    split_runs_match_one_run("sequence by user with maxspan=5ms [a where true] [b where true]");
    split_runs_match_one_run("sequence by user [a where true] [b where true] until [c where true]");
}

#[test]
fn missing_event_checks_span_a_saved_state() {
    split_runs_match_one_run(
        "sequence by user with maxspan=10ms [a where true] [b where true] ![c where true]",
    );
    split_runs_match_one_run(
        "sequence by user with maxspan=10ms [a where true] ![c where true] [b where true]",
    );
}

#[test]
fn event_handles_can_be_renumbered() {
    let (compiler, plan) = plan("sequence by user [a where true] [b where true]");
    let mut first = matcher(&plan);
    feed(&compiler, &mut first, 0..2);
    let mut state = first.save();
    assert_eq!(state.pending(), 2);
    let mut events = state.events();
    events.sort_unstable();
    assert_eq!(events, [EventRef(0), EventRef(1)]);
    state.map_events(|EventRef(n)| EventRef(n + 100));
    let mut events = state.events();
    events.sort_unstable();
    assert_eq!(events, [EventRef(100), EventRef(101)]);
}

#[test]
fn a_state_that_does_not_fit_the_plan_is_refused() {
    let (compiler, two_terms) =
        plan("sequence by user [a where true] [b where true] [c where true]");
    let mut first = matcher(&two_terms);
    feed(&compiler, &mut first, 0..3);
    let saved = first.save();
    assert!(saved.pending() > 0);
    // The same state for a query with other join keys.
    let (_, other) = plan("sequence by user, host [a where true] [b where true] [c where true]");
    let error = SequenceMatcher::restore(
        other,
        Limits::default(),
        ResultWindow::streaming(),
        saved.clone(),
    )
    .err()
    .expect("refused");
    assert!(matches!(error, SequenceError::InvalidState { .. }), "{error:?}");
    // A slot beyond the query's terms.
    let (_, shorter) = plan("sequence by user [a where true] [b where true]");
    let error =
        SequenceMatcher::restore(shorter, Limits::default(), ResultWindow::streaming(), saved)
            .err()
            .expect("refused");
    assert!(matches!(error, SequenceError::InvalidState { .. }), "{error:?}");
}
