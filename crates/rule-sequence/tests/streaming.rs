//! Driving a [`SequenceMatcher`] by hand, as a detection engine does: a streaming window that
//! hands out each sequence as it completes, and the events the matcher still holds.

use std::sync::Arc;

use rule_compiler::{Compiler, EqlOptions};
use rule_sequence::{EqlPlan, EventRef, Limits, ResultWindow, SequenceMatcher};
use rule_vm::{EventView, Vm};
use serde_json::json;

#[test]
fn streaming_matcher_reports_sequences_as_they_complete_and_what_it_holds() {
    let query = eql_syntax::parse(
        "sequence by user with maxspan=10ms [a where true] [b where true] [c where true]",
    )
    .expect("parses");
    let mut compiler = Compiler::new();
    let eql = compiler.compile_eql(&query, &EqlOptions::default()).expect("compiles");
    let EqlPlan::Sequence(plan) = eql.plan else { panic!("a sequence plan") };
    let mut matcher =
        SequenceMatcher::new(Arc::new(plan), Limits::default(), ResultWindow::streaming())
            .expect("valid plan");
    let stream = [("a", "x", 1), ("a", "y", 2), ("b", "x", 3), ("c", "x", 4), ("b", "y", 30)];
    let mut vm = Vm::new();
    let mut completed_after = Vec::new();
    let mut held_after = Vec::new();
    for (position, (category, user, ms)) in stream.into_iter().enumerate() {
        let event = json!({"event": {"category": category}, "user": user});
        let mut view = EventView::new(compiler.fields(), &event);
        matcher.push(EventRef(position), ms * 1_000_000, &mut view, &mut vm);
        let completed: Vec<Vec<Option<EventRef>>> =
            matcher.drain_completed().into_iter().map(|found| found.events).collect();
        completed_after.push(completed);
        let mut held = Vec::new();
        matcher.referenced_events(&mut held);
        held.sort_unstable();
        held_after.push(held.into_iter().map(|EventRef(n)| n).collect::<Vec<_>>());
    }
    let sequence = vec![Some(EventRef(0)), Some(EventRef(2)), Some(EventRef(3))];
    assert_eq!(completed_after, [vec![], vec![], vec![], vec![sequence], vec![]]);
    // The `y` sequence expired (maxspan) when event 4 arrived 28 ms after its start.
    assert_eq!(held_after, [vec![0], vec![0, 1], vec![0, 1, 2], vec![1], vec![]]);
    let (rest, summary) = matcher.finish();
    assert!(rest.is_empty());
    assert_eq!((summary.completed, summary.expired_by_maxspan), (1, 1));
}
