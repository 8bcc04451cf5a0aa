//! [`SampleMatcher`]: EQL samples, unordered groups of events sharing join-key values.
//!
//! Semantics (eql.md §1.8; ES `SampleIterator`):
//! * every filter is joined on the same key values (shared keys first, then the filter's
//!   own); null keys take no part unless optional, multi-valued keys expand (eql.md §1.6);
//! * key combinations are visited in ascending key order (ES walks composite aggregation
//!   buckets, nulls first), and only combinations every filter has events for count;
//! * for one combination, each filter contributes its first `filters × max_samples_per_key`
//!   matching events (ES: `terminate_after`/`size` of the per-filter query, in index order,
//!   here input order), and samples are picked by backtracking: one distinct event per
//!   filter, filter order, at most `max_samples_per_key` samples;
//! * results stop at the requested number of samples.
//!
//! State is bounded: per key and filter at most that many events, and at most
//! [`Limits::max_keys`] keys (new keys past it are dropped and counted).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use rule_vm::{EventView, Vm};

use crate::error::SequenceError;
use crate::key::{DateKeys, KeyTuple, key_combinations};
use crate::limits::{Limits, MatchSummary};
use crate::plan::SamplePlan;
use crate::sequence::EventRef;
use crate::window::ResultWindow;

/// A sample: its join-key values and one event per filter, in filter order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleMatch {
    /// The join-key values.
    pub join_keys: KeyTuple,
    /// One event per filter.
    pub events: Vec<EventRef>,
}

/// Collects sample candidates over events (any order) and builds samples at the end.
pub struct SampleMatcher<'p> {
    plan: &'p SamplePlan,
    limits: Limits,
    max_samples_per_key: usize,
    per_filter: usize,
    /// key -> per filter, the first matching events.
    candidates: BTreeMap<KeyTuple, Vec<Vec<EventRef>>>,
    summary: MatchSummary,
}

impl<'p> SampleMatcher<'p> {
    /// A matcher for `plan` giving up to `max_samples_per_key` samples per key combination.
    pub fn new(
        plan: &'p SamplePlan,
        limits: Limits,
        max_samples_per_key: usize,
    ) -> Result<Self, SequenceError> {
        if max_samples_per_key == 0 {
            return Err(SequenceError::ZeroSamplesPerKey);
        }
        let expected = plan.stages.first().map_or(0, |s| s.keys.len());
        if expected == 0 {
            return Err(SequenceError::SampleWithoutKeys);
        }
        for (term, stage) in plan.stages.iter().enumerate() {
            if stage.keys.len() != expected {
                return Err(SequenceError::JoinKeyCount {
                    term: term + 1,
                    expected,
                    found: stage.keys.len(),
                });
            }
        }
        Ok(SampleMatcher {
            plan,
            limits,
            max_samples_per_key,
            per_filter: plan.stages.len().saturating_mul(max_samples_per_key),
            candidates: BTreeMap::new(),
            summary: MatchSummary::default(),
        })
    }

    /// Feeds one event, read from the index `index` (date-typed keys are read with that index's
    /// date format).
    pub fn push(&mut self, event: EventRef, index: &str, view: &mut EventView<'_>, vm: &mut Vm) {
        self.summary.events += 1;
        let mut matched = false;
        for (filter, stage) in self.plan.stages.iter().enumerate() {
            if !vm.matches(&stage.program, view) {
                continue;
            }
            matched = true;
            let combos = key_combinations(view, &stage.keys, DateKeys::EpochMillis { index });
            if combos.is_empty() {
                self.summary.without_key += 1;
            }
            for key in combos {
                self.add(key, filter, event);
            }
        }
        if matched {
            self.summary.matched_events += 1;
        }
    }

    fn add(&mut self, key: KeyTuple, filter: usize, event: EventRef) {
        let filters = self.plan.stages.len();
        let at_capacity = self.candidates.len() >= self.limits.max_keys;
        let lists = match self.candidates.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(_) if at_capacity => {
                self.summary.evicted += 1;
                return;
            }
            Entry::Vacant(entry) => entry.insert(vec![Vec::new(); filters]),
        };
        let list = &mut lists[filter];
        if list.len() < self.per_filter {
            list.push(event);
        }
    }

    /// Builds the samples, ascending by key, into `window`.
    pub fn finish(
        mut self,
        mut window: ResultWindow<SampleMatch>,
    ) -> (Vec<SampleMatch>, MatchSummary) {
        let candidates = std::mem::take(&mut self.candidates);
        for (key, lists) in candidates {
            if window.is_full() {
                break;
            }
            if lists.iter().any(Vec::is_empty) {
                continue;
            }
            let mut found = Vec::new();
            pick(
                &lists,
                &mut Vec::with_capacity(lists.len()),
                &mut found,
                self.max_samples_per_key,
            );
            for events in found {
                self.summary.completed += 1;
                window.push(SampleMatch { join_keys: key.clone(), events });
            }
        }
        (window.finish(), self.summary)
    }
}

/// Backtracking: one distinct event per list, lists in order, up to `max` combinations.
fn pick(
    lists: &[Vec<EventRef>],
    partial: &mut Vec<EventRef>,
    found: &mut Vec<Vec<EventRef>>,
    max: usize,
) {
    let Some(list) = lists.get(partial.len()) else { return };
    for &event in list {
        if found.len() >= max {
            return;
        }
        if partial.contains(&event) {
            continue;
        }
        partial.push(event);
        if partial.len() == lists.len() {
            found.push(partial.clone());
        } else {
            pick(lists, partial, found, max);
        }
        partial.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtracking_picks_distinct_events_in_filter_order() {
        let e = EventRef;
        let lists = vec![vec![e(1), e(2), e(3)], vec![e(4), e(5)], vec![e(4), e(5), e(3)]];
        let mut found = Vec::new();
        pick(&lists, &mut Vec::new(), &mut found, 1);
        assert_eq!(found, [vec![e(1), e(4), e(5)]]);
        let mut found = Vec::new();
        pick(&lists, &mut Vec::new(), &mut found, 3);
        assert_eq!(found, [vec![e(1), e(4), e(5)], vec![e(1), e(4), e(3)], vec![e(1), e(5), e(4)]]);
    }

    #[test]
    fn the_same_event_everywhere_gives_no_sample() {
        let e = EventRef;
        let lists = vec![vec![e(1), e(1)], vec![e(1)], vec![e(1), e(3)]];
        let mut found = Vec::new();
        pick(&lists, &mut Vec::new(), &mut found, 1);
        assert!(found.is_empty());
    }
}
