//! The `new_terms` rule type: alert on the first appearance of a value, or combination of
//! values, within a history window.
//!
//! Kibana's semantics ("New terms rules" docs; `new_terms/create_new_terms_alert_type.ts` and
//! `utils.ts` in `security_solution`): the terms are the values of `new_terms_fields` (1 to 3
//! fields). With several fields, or array values, every combination in the cartesian product
//! of the fields' values is its own term (Kibana emits them from a runtime field); a document
//! with a missing field has no term. A term is new when no matching document had it between
//! `history_window_start` and the current run, and Kibana writes one alert per new term
//! (`wrap_new_terms_alerts.ts`, with `kibana.alert.new_terms` = the term's values).
//!
//! Kibana's executor (`new_terms/create_new_terms_alert_type.ts`) resolves
//! `history_window_start` against the execution's `to` (`parseDateString({date:
//! historyWindowStart, forceNow: tuple.to})`), searches the terms of the execution window
//! `[from, to]`, then keeps those whose first appearance in `[history_window_start, to]` is
//! no earlier than `from`. Here each event is observed once, in time order, by the first
//! execution whose window holds it: a term is new when it was last seen before
//! `history_window_start` resolved against *that execution's* time (or never). A term seen
//! earlier in the same window already alerted (Kibana's alert is the term's first document),
//! so a later sighting in the window is not new either way. Only events that match the
//! rule's query update the history, as Kibana's history search uses the rule's query.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::date_math::DateMath;
use crate::fields::{field_values, scalar_text};
use crate::timestamp::EventTime;

/// The most fields Kibana accepts in `new_terms_fields`.
pub const MAX_NEW_TERMS_FIELDS: usize = 3;

/// The most term combinations taken from one event; the rest are dropped and counted.
pub const MAX_COMBINATIONS_PER_EVENT: usize = 10_000;

/// One term: a value per new-terms field, in field order.
pub type Term = Vec<String>;

/// What a `new_terms` rule remembers: when each term was last seen.
#[derive(Clone, Debug)]
pub struct NewTermsState {
    fields: Vec<String>,
    history_window_start: DateMath,
    last_seen: HashMap<Term, EventTime>,
}

/// A saved `new_terms` history: each remembered term and when it was last seen (nanoseconds
/// since the epoch), sorted by term so the same history always saves the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTermsHistory {
    /// The rule's `new_terms_fields`, so a history is never read for other fields.
    pub fields: Vec<String>,
    /// `(term, last seen)`, one per term.
    pub last_seen: Vec<(Term, i64)>,
}

/// The terms of one event, sorted into new and already seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermsSeen {
    /// Terms not seen within the history window, in combination order.
    pub new_terms: Vec<Term>,
    /// How many of the event's terms had been seen.
    pub known: usize,
    /// Whether the event had more than [`MAX_COMBINATIONS_PER_EVENT`] combinations.
    pub truncated: bool,
}

/// A `new_terms` configuration that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NewTermsConfigError {
    /// `new_terms_fields` must name 1 to 3 fields.
    #[error("new_terms_fields must name 1 to {MAX_NEW_TERMS_FIELDS} fields, found {0}")]
    FieldCount(usize),
    /// The same field twice.
    #[error("new_terms_fields names `{0}` twice")]
    DuplicateField(String),
}

impl NewTermsState {
    /// Empty history for `fields` with the given window start (e.g. `now-14d`).
    pub fn new(
        fields: Vec<String>,
        history_window_start: DateMath,
    ) -> Result<Self, NewTermsConfigError> {
        if fields.is_empty() || fields.len() > MAX_NEW_TERMS_FIELDS {
            return Err(NewTermsConfigError::FieldCount(fields.len()));
        }
        for (position, field) in fields.iter().enumerate() {
            if fields[..position].contains(field) {
                return Err(NewTermsConfigError::DuplicateField(field.clone()));
            }
        }
        Ok(Self { fields, history_window_start, last_seen: HashMap::new() })
    }

    /// The new-terms fields.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// How many distinct terms are remembered.
    pub fn remembered(&self) -> usize {
        self.last_seen.len()
    }

    /// The history to save.
    pub fn history(&self) -> NewTermsHistory {
        let mut last_seen: Vec<(Term, i64)> =
            self.last_seen.iter().map(|(term, time)| (term.clone(), time.as_nanos())).collect();
        last_seen.sort_unstable();
        NewTermsHistory { fields: self.fields.clone(), last_seen }
    }

    /// Replaces the history by a saved one; refuses one saved for other fields, or with
    /// terms of another length.
    pub fn restore_history(&mut self, history: NewTermsHistory) -> Result<(), String> {
        if history.fields != self.fields {
            return Err(format!(
                "the saved history is for the fields {:?}, the rule has {:?}",
                history.fields, self.fields
            ));
        }
        if let Some((term, _)) =
            history.last_seen.iter().find(|(t, _)| t.len() != self.fields.len())
        {
            return Err(format!("the saved term {term:?} does not have one value per field"));
        }
        self.last_seen = history
            .last_seen
            .into_iter()
            .map(|(term, nanos)| (term, EventTime::from_nanos(nanos)))
            .collect();
        Ok(())
    }

    /// Records the terms of a matching event at `time`, searched by the execution at
    /// `execution_at`, and says which were new.
    pub fn observe(
        &mut self,
        document: &Value,
        time: EventTime,
        execution_at: EventTime,
    ) -> TermsSeen {
        let (terms, truncated) = terms_of(document, &self.fields);
        // An unresolvable window start (far outside the supported years) means no history.
        let window_start = self.history_window_start.resolve(execution_at);
        let mut seen = TermsSeen { truncated, ..TermsSeen::default() };
        for term in terms {
            let last = self.last_seen.get(&term).copied();
            let within_window = match (last, window_start) {
                (Some(last), Some(start)) => last >= start,
                _ => false,
            };
            let latest = last.map_or(time, |last| last.max(time));
            if within_window {
                seen.known += 1;
                if let Some(slot) = self.last_seen.get_mut(&term) {
                    *slot = latest;
                }
            } else {
                self.last_seen.insert(term.clone(), latest);
                seen.new_terms.push(term);
            }
        }
        seen
    }
}

/// Every combination of the fields' values (distinct values per field, document order);
/// none when a field has no value. The flag tells whether the product was cut.
pub fn terms_of(document: &Value, fields: &[String]) -> (Vec<Term>, bool) {
    let mut per_field: Vec<Vec<String>> = Vec::with_capacity(fields.len());
    for field in fields {
        let mut values: Vec<String> = Vec::new();
        for value in field_values(document, field) {
            if let Some(text) = scalar_text(value)
                && !values.contains(&text)
            {
                values.push(text);
            }
        }
        if values.is_empty() {
            return (Vec::new(), false);
        }
        per_field.push(values);
    }
    let mut combinations: Vec<Term> = vec![Vec::new()];
    let mut truncated = false;
    for values in &per_field {
        let mut next = Vec::with_capacity(combinations.len().saturating_mul(values.len()));
        'outer: for prefix in &combinations {
            for value in values {
                if next.len() == MAX_COMBINATIONS_PER_EVENT {
                    truncated = true;
                    break 'outer;
                }
                let mut term = prefix.clone();
                term.push(value.clone());
                next.push(term);
            }
        }
        combinations = next;
    }
    (combinations, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(fields: &[&str]) -> NewTermsState {
        let fields = fields.iter().map(ToString::to_string).collect();
        NewTermsState::new(fields, DateMath::parse("now-14d").unwrap()).unwrap()
    }

    fn at(text: &str) -> EventTime {
        EventTime::parse(text).unwrap()
    }

    fn term(values: &[&str]) -> Term {
        values.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn cartesian_product_of_array_values() {
        let doc = json!({"host": {"id": ["h1", "h2", "h1"]}, "task": ["a", "b"]});
        let fields = vec!["host.id".to_owned(), "task".to_owned()];
        let (terms, truncated) = terms_of(&doc, &fields);
        assert!(!truncated);
        assert_eq!(
            terms,
            vec![term(&["h1", "a"]), term(&["h1", "b"]), term(&["h2", "a"]), term(&["h2", "b"])]
        );
    }

    #[test]
    fn a_missing_field_means_no_term() {
        let doc = json!({"host": {"id": "h1"}, "task": []});
        let fields = vec!["host.id".to_owned(), "task".to_owned()];
        assert_eq!(terms_of(&doc, &fields), (vec![], false));
    }

    #[test]
    fn repeated_terms_within_the_window_are_not_new_and_expire_after_it() {
        let mut state = state(&["host.id"]);
        let doc = json!({"host": {"id": "h1"}});
        assert_eq!(
            state.observe(&doc, at("2024-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z")).new_terms,
            vec![term(&["h1"])]
        );
        // 13 days later: seen; this refreshes the last-seen time.
        assert_eq!(
            state.observe(&doc, at("2024-01-14T00:00:00Z"), at("2024-01-14T00:00:00Z")).known,
            1
        );
        // Exactly 14 days after the last sighting: still inside the window (inclusive).
        assert_eq!(
            state.observe(&doc, at("2024-01-28T00:00:00Z"), at("2024-01-28T00:00:00Z")).known,
            1
        );
        // More than 14 days later: new again.
        let later = state.observe(&doc, at("2024-02-11T00:00:01Z"), at("2024-02-11T00:00:01Z"));
        assert_eq!(later.new_terms, vec![term(&["h1"])]);
        assert_eq!(state.remembered(), 1);
    }

    #[test]
    fn the_history_window_is_measured_from_the_execution_not_the_event() {
        let mut state = state(&["host.id"]);
        let doc = json!({"host": {"id": "h1"}});
        state.observe(&doc, at("2024-01-01T00:00:00Z"), at("2024-01-01T00:05:00Z"));
        // 14 days minus a minute after the first sighting, but searched by the execution 4
        // minutes later: its history starts at 2024-01-01T00:03, after that sighting.
        let seen = state.observe(&doc, at("2024-01-14T23:59:00Z"), at("2024-01-15T00:03:00Z"));
        assert_eq!(seen.new_terms, vec![term(&["h1"])]);
        // Measured from the event it would have been known: one execution earlier it is.
        let mut early = self::state(&["host.id"]);
        early.observe(&doc, at("2024-01-01T00:00:00Z"), at("2024-01-01T00:05:00Z"));
        let seen = early.observe(&doc, at("2024-01-14T23:59:00Z"), at("2024-01-14T23:59:30Z"));
        assert_eq!(seen.known, 1);
    }

    #[test]
    fn only_new_combinations_are_reported() {
        let mut state = state(&["host.id", "task"]);
        let first = json!({"host": {"id": "h1"}, "task": "a"});
        let both = json!({"host": {"id": "h1"}, "task": ["a", "b"]});
        state.observe(&first, at("2024-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z"));
        let seen = state.observe(&both, at("2024-01-01T00:01:00Z"), at("2024-01-01T00:01:00Z"));
        assert_eq!(seen.new_terms, vec![term(&["h1", "b"])]);
        assert_eq!(seen.known, 1);
    }

    #[test]
    fn numbers_and_strings_are_terms_by_their_text() {
        let mut state = state(&["code"]);
        state.observe(
            &json!({"code": 4702}),
            at("2024-01-01T00:00:00Z"),
            at("2024-01-01T00:00:00Z"),
        );
        assert_eq!(
            state
                .observe(
                    &json!({"code": "4702"}),
                    at("2024-01-01T00:00:01Z"),
                    at("2024-01-01T00:00:01Z")
                )
                .known,
            1
        );
    }

    #[test]
    fn huge_products_are_cut_and_flagged() {
        let many: Vec<String> = (0..200).map(|n| n.to_string()).collect();
        let doc = json!({"a": many, "b": many});
        let (terms, truncated) = terms_of(&doc, &["a".to_owned(), "b".to_owned()]);
        assert!(truncated);
        assert_eq!(terms.len(), MAX_COMBINATIONS_PER_EVENT);
    }

    #[test]
    fn a_saved_history_continues_where_it_stopped() {
        let mut first = state(&["host.id", "task"]);
        first.observe(
            &json!({"host": {"id": "h1"}, "task": ["a", "b"]}),
            at("2024-01-01T00:00:00Z"),
            at("2024-01-01T00:05:00Z"),
        );
        let saved = serde_json::to_string(&first.history()).unwrap();
        let mut second = state(&["host.id", "task"]);
        second.restore_history(serde_json::from_str(&saved).unwrap()).unwrap();
        assert_eq!(second.remembered(), 2);
        let seen = second.observe(
            &json!({"host": {"id": "h1"}, "task": ["b", "c"]}),
            at("2024-01-02T00:00:00Z"),
            at("2024-01-02T00:05:00Z"),
        );
        assert_eq!((seen.known, seen.new_terms), (1, vec![term(&["h1", "c"])]));
        let mut other_fields = state(&["host.id"]);
        assert!(other_fields.restore_history(first.history()).is_err());
    }

    #[test]
    fn field_count_is_checked() {
        let window = DateMath::parse("now-1d").unwrap();
        assert_eq!(
            NewTermsState::new(vec![], window.clone()).unwrap_err(),
            NewTermsConfigError::FieldCount(0)
        );
        let four = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert!(NewTermsState::new(four, window.clone()).is_err());
        let twice = ["a", "a"].map(String::from).to_vec();
        assert_eq!(
            NewTermsState::new(twice, window).unwrap_err(),
            NewTermsConfigError::DuplicateField("a".to_owned())
        );
    }
}
