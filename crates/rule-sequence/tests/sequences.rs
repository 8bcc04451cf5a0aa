//! Behaviour of the sequence state machine on small hand-made streams (eql.md §1.7).

mod support;

use rule_sequence::{Limits, ResultPosition, SearchOptions};
use serde_json::json;
use support::{event, ids, ids_keys, run_with};

/// Events `1..=n`, all of category `x`, one millisecond apart.
fn numbered(n: i64) -> Vec<rule_sequence::SearchEvent> {
    (1..=n).map(|id| event(id, id, "x", &json!({}))).collect()
}

#[test]
fn an_event_matching_several_stages_advances_and_starts_sequences() {
    // QA `sequenceConditionManyMany`.
    let query = "sequence [x where id <= 3] [x where true] [x where true]";
    assert_eq!(ids(query, &numbered(5)), [[1, 2, 3], [2, 3, 4], [3, 4, 5]]);
}

#[test]
fn the_same_filter_twice_chains_overlapping_pairs() {
    // QA `doubleSameSequence`.
    let query = "sequence [x where id < 5] [x where id < 5]";
    assert_eq!(ids(query, &numbered(5)), [[1, 2], [2, 3], [3, 4]]);
}

#[test]
fn the_newest_pending_sequence_wins() {
    let events = [
        event(1, 1, "a", &json!({})),
        event(2, 2, "a", &json!({})),
        event(3, 3, "b", &json!({})),
        event(4, 4, "b", &json!({})),
    ];
    assert_eq!(ids("sequence [a where true] [b where true]", &events), [[2, 3]]);
}

#[test]
fn until_kills_pending_sequences_of_its_key_only() {
    // Docs "until keyword": A,B and A,B,C match; A,C,B does not.
    let k = |key: &str| json!({"k": key});
    let events = [
        event(1, 1, "a", &k("one")),
        event(2, 2, "b", &k("one")),
        event(3, 3, "a", &k("two")),
        event(4, 4, "b", &k("two")),
        event(5, 5, "c", &k("two")),
        event(6, 6, "a", &k("three")),
        event(7, 7, "c", &k("three")),
        event(8, 8, "b", &k("three")),
        event(9, 9, "a", &k("four")),
        event(10, 10, "c", &k("other")),
        event(11, 11, "b", &k("four")),
    ];
    let query = "sequence by k [a where true] [b where true] until [c where true]";
    assert_eq!(ids(query, &events), [[1, 2], [3, 4], [9, 11]]);
}

#[test]
fn maxspan_allows_equal_and_rejects_longer() {
    let events = [
        event(1, 0, "a", &json!({})),
        event(2, 2000, "b", &json!({})),
        event(3, 10_000, "a", &json!({})),
        event(4, 12_001, "b", &json!({})),
    ];
    assert_eq!(ids("sequence with maxspan=2s [a where true] [b where true]", &events), [[1, 2]]);
}

#[test]
fn expired_sequences_leave_the_state() {
    let mut events: Vec<_> = (0..100).map(|i| event(i, i * 10, "a", &json!({"k": i}))).collect();
    events.push(event(100, 5000, "b", &json!({"k": 99})));
    let options = SearchOptions { size: 50, ..SearchOptions::default() };
    let response = run_with(
        "sequence by k with maxspan=15ms [a where true] [b where true]",
        &events,
        &options,
    );
    assert!(response.summary.expired_by_maxspan >= 98, "{:?}", response.summary);
    assert_eq!(response.summary.completed, 0);
}

#[test]
fn array_keys_expand_to_every_value_and_combination() {
    // QA `sequenceWithMultivalue_ManyToMany` / `_CartesianProduct` in miniature.
    let events = [
        event(1, 1, "a", &json!({"tags": ["t2", "t1"], "items": ["i1", "i2"]})),
        event(2, 2, "b", &json!({"tags": ["t1", "t3", "t2"], "items": "i2"})),
    ];
    let found = ids_keys("sequence by tags, items [a where true] [b where true]", &events);
    assert_eq!(
        found,
        [
            (vec![1, 2], vec!["t1".to_owned(), "i2".to_owned()]),
            (vec![1, 2], vec!["t2".to_owned(), "i2".to_owned()])
        ]
    );
}

#[test]
fn null_keys_drop_the_event_unless_optional() {
    let events = [
        event(1, 1, "a", &json!({})),
        event(2, 2, "b", &json!({"x": null})),
        event(3, 3, "b", &json!({"x": "v"})),
    ];
    assert!(ids("sequence by x [a where true] [b where true]", &events).is_empty());
    assert_eq!(
        ids_keys("sequence by ?x [a where true] [b where true]", &events),
        [(vec![1, 2], vec!["null".to_owned()])]
    );
}

#[test]
fn per_term_keys_join_positionally() {
    let events = [
        event(1, 1, "a", &json!({"user": "bob", "host": "h1"})),
        event(2, 2, "b", &json!({"account": "bob", "host": "h1"})),
        event(3, 3, "b", &json!({"account": "bob", "host": "h2"})),
    ];
    let query = "sequence by host [a where true] by user [b where true] by account";
    assert_eq!(ids_keys(query, &events), [(vec![1, 2], vec!["h1".to_owned(), "bob".to_owned()])]);
}

#[test]
fn pipes_size_and_result_position_select_from_the_ordered_sequences() {
    let query = "sequence [x where true] [x where true]";
    let events = numbered(6);
    let run = |query: &str, size, result_position| {
        let options = SearchOptions { size, result_position, ..SearchOptions::default() };
        support::ids_and_keys(&run_with(query, &events, &options), &events)
            .into_iter()
            .map(|(ids, _)| ids)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(query, 2, ResultPosition::Tail), [[4, 5], [5, 6]]);
    assert_eq!(run(query, 2, ResultPosition::Head), [[1, 2], [2, 3]]);
    assert_eq!(run(&format!("{query} | head 3 | tail 1"), 10, ResultPosition::Tail), [[3, 4]]);
    assert_eq!(run(&format!("{query} | tail 2"), 10, ResultPosition::Head), [[4, 5], [5, 6]]);
    assert!(run(query, 0, ResultPosition::Tail).is_empty());
}

#[test]
fn the_pending_limit_evicts_the_oldest_and_counts_it() {
    let events = [
        event(1, 1, "a", &json!({"k": 1})),
        event(2, 2, "a", &json!({"k": 2})),
        event(3, 3, "b", &json!({"k": 1})),
        event(4, 4, "b", &json!({"k": 2})),
    ];
    let limits = Limits { max_pending_sequences: 1, max_keys: 10 };
    let options = SearchOptions { size: 10, limits, ..SearchOptions::default() };
    let response = run_with("sequence by k [a where true] [b where true]", &events, &options);
    assert_eq!(support::ids_and_keys(&response, &events)[0].0, [2, 4]);
    assert_eq!(response.summary.evicted, 1);
}

#[test]
fn events_without_timestamp_are_not_searched() {
    let mut events = numbered(3);
    events[1].timestamp_nanos = None;
    let options = SearchOptions { size: 10, ..SearchOptions::default() };
    let response = run_with("sequence [x where true] [x where true]", &events, &options);
    assert_eq!(response.without_timestamp, 1);
    assert_eq!(support::ids_and_keys(&response, &events)[0].0, [1, 3]);
}

#[test]
fn an_until_event_that_also_advances_a_sequence_still_ends_it() {
    // QA `sequenceWithOptionalFieldsAndUntil_2`: ES's until check is inclusive of the
    // sequence's last event, so the sequence the until event advanced dies at the next step,
    // while a sequence the until event completes stands.
    let events = [
        event(1, 1, "a", &json!({})),
        event(2, 2, "b", &json!({"stop": true})),
        event(3, 3, "c", &json!({})),
        event(4, 4, "a", &json!({})),
        event(5, 5, "b", &json!({})),
        event(6, 6, "c", &json!({"stop": true})),
    ];
    let query =
        "sequence [a where true] [b where true] [c where true] until [any where stop == true]";
    assert_eq!(ids(query, &events), [[4, 5, 6]]);
}
