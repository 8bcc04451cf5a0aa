//! Samples (eql.md §1.8, ES `SampleIterator`).

mod support;

use rule_sequence::SearchOptions;
use serde_json::json;
use support::{event, ids_and_keys, ids_keys, run_with};

#[test]
fn samples_join_on_keys_in_key_order_with_distinct_events() {
    let events = [
        event(1, 0, "a", &json!({"host": "zeta", "n": 1})),
        event(2, 0, "a", &json!({"host": "alpha", "n": 1})),
        event(3, 0, "a", &json!({"host": "alpha", "n": 2})),
        event(4, 0, "a", &json!({"host": "zeta", "n": 2})),
        event(5, 0, "a", &json!({"host": "solo", "n": 1})),
    ];
    let query = "sample by host [a where n >= 1] [a where n == 2]";
    let found = ids_keys(query, &events);
    assert_eq!(
        found,
        [(vec![2, 3], vec!["alpha".to_owned()]), (vec![1, 4], vec!["zeta".to_owned()])]
    );
}

#[test]
fn max_samples_per_key_gives_more_combinations() {
    let events: Vec<_> = (1..=3).map(|id| event(id, 0, "a", &json!({"k": "x"}))).collect();
    let query = "sample by k [a where true] [a where true]";
    let options = SearchOptions { size: 10, max_samples_per_key: 2, ..SearchOptions::default() };
    let found: Vec<Vec<i64>> = ids_and_keys(&run_with(query, &events, &options), &events)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(found, [[1, 2], [1, 3]]);
}

#[test]
fn null_keys_are_excluded_unless_optional() {
    let events = [event(1, 0, "a", &json!({})), event(2, 0, "a", &json!({}))];
    assert!(ids_keys("sample by k [a where true] [a where true]", &events).is_empty());
    assert_eq!(
        ids_keys("sample by ?k [a where true] [a where true]", &events),
        [(vec![1, 2], vec!["null".to_owned()])]
    );
}

#[test]
fn samples_need_no_timestamp() {
    let mut events = [event(1, 0, "a", &json!({"k": 1})), event(2, 0, "b", &json!({"k": 1}))];
    for e in &mut events {
        e.timestamp_nanos = None;
    }
    assert_eq!(ids_keys("sample by k [a where true] [b where true]", &events)[0].0, [1, 2]);
}
