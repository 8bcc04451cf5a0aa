//! Missing-event terms `![...]` (eql.md §1.7, ES `TumblingWindow` missing-event check).

mod support;

use serde_json::json;
use support::{event, ids};

fn tagged(rows: &[(i64, i64, &str)]) -> Vec<rule_sequence::SearchEvent> {
    rows.iter().map(|&(id, ms, tag)| event(id, ms, "t", &json!({"tag": tag}))).collect()
}

#[test]
fn a_middle_hit_discards_the_candidate() {
    let events = tagged(&[(1, 1, "normal"), (2, 2, "normal"), (3, 3, "missing"), (4, 4, "normal")]);
    let query = r#"sequence with maxspan=1s [t where tag == "normal"] ![t where tag == "missing"] [t where tag == "normal"]"#;
    assert_eq!(ids(query, &events), [[1, -1, 2]]);
    let none = r#"sequence with maxspan=1s [t where tag == "normal"] ![t where tag == "nothing"] [t where tag == "normal"]"#;
    assert_eq!(ids(none, &events), [[1, -1, 2], [2, -1, 4]]);
}

#[test]
fn a_trailing_hit_within_maxspan_discards() {
    let events = tagged(&[(1, 1000, "normal"), (2, 1500, "missing"), (3, 5000, "normal")]);
    let query = r#"sequence with maxspan=1s [t where tag == "normal"] ![t where tag == "missing"]"#;
    assert_eq!(ids(query, &events), [[3, -1]]);
}

#[test]
fn a_leading_hit_counts_only_within_maxspan_of_the_last_event() {
    let events = tagged(&[(1, 0, "missing"), (2, 500, "normal"), (3, 3000, "normal")]);
    let query = r#"sequence with maxspan=1s ![t where tag == "missing"] [t where tag == "normal"]"#;
    assert_eq!(ids(query, &events), [[-1, 3]]);
}

#[test]
fn leading_and_trailing_discard_only_when_both_fall_in_one_maxspan() {
    let events = tagged(&[
        (1, 0, "missing"),
        (2, 100, "normal"),
        (3, 200, "missing"),
        (4, 5000, "normal"),
        (5, 9000, "missing"),
    ]);
    let query = r#"sequence with maxspan=1s ![t where tag == "missing"] [t where tag == "normal"] ![t where tag == "missing"]"#;
    assert_eq!(ids(query, &events), [[-1, 4, -1]]);
}

#[test]
fn missing_terms_use_the_sequence_key() {
    let events = [
        event(1, 1, "t", &json!({"tag": "normal", "k": 1})),
        event(2, 2, "t", &json!({"tag": "missing", "k": 2})),
        event(3, 3, "t", &json!({"tag": "normal", "k": 1})),
    ];
    let query = r#"sequence by k with maxspan=1s [t where tag == "normal"] ![t where tag == "missing"] [t where tag == "normal"]"#;
    assert_eq!(ids(query, &events), [[1, -1, 3]]);
}
