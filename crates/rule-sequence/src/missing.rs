//! Missing-event terms (`![...]`): the check Elasticsearch runs on each positive-only
//! sequence candidate, and the time-bounded index of missing-term events it needs.
//!
//! Elasticsearch first finds sequences of the positive terms, then checks every candidate
//! against the missing terms, with the candidate's join key and timestamps in milliseconds
//! (eql.md §1.7 "Missing events", from `TumblingWindow.doCheckMissingEvents` and
//! `prepareQueryForMissingEvents`):
//! * a *middle* term is violated by any matching event strictly between the positive events
//!   around it;
//! * *leading* terms look for the latest matching event before the first positive event,
//!   *trailing* terms for the earliest one after the last positive event;
//! * the candidate is kept unless a middle term is violated, or the leading and trailing
//!   hits (whichever kinds the query has) all fall within one `maxspan`.
//!
//! A candidate with trailing terms is decided once the stream has passed
//! `first event + maxspan` (a later trailing hit cannot discard it), so candidates wait in a
//! deadline-ordered map; results are released in completion order. Events of missing terms
//! older than two `maxspan`s before the newest event can no longer matter and are dropped.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::key::KeyTuple;
use crate::sequence::SequenceMatch;

const NANOS_PER_MILLI: i64 = 1_000_000;

/// One completed positive-only sequence waiting for its missing-term check.
pub(crate) struct Candidate {
    pub(crate) result: SequenceMatch,
    /// Milliseconds of each plan stage's event (`None` for missing terms).
    pub(crate) millis: Vec<Option<i64>>,
    /// `None` until decided; then whether it is kept.
    pub(crate) kept: Option<bool>,
}

/// Missing-term events by stage and key, and the candidates still being checked.
pub(crate) struct MissingCheck {
    pub(crate) missing: Vec<bool>,
    first_positive: usize,
    last_positive: usize,
    maxspan_millis: i64,
    /// Per plan stage (only missing ones used): key -> ascending event times (ms).
    pub(crate) seen: Vec<HashMap<KeyTuple, VecDeque<i64>>>,
    /// Every recorded event, oldest first, to prune `seen` without scanning it.
    pub(crate) arrivals: VecDeque<(i64, usize, KeyTuple)>,
    /// Candidates in completion order; `front_id` is the id of the first.
    pub(crate) candidates: VecDeque<Candidate>,
    pub(crate) front_id: u64,
    /// (deadline in ms, candidate id) of undecided candidates with trailing terms.
    pub(crate) deadlines: BTreeSet<(i64, u64)>,
}

impl MissingCheck {
    /// A check for stages whose missing flags are `missing` (at least one positive stage).
    pub(crate) fn new(missing: Vec<bool>, maxspan_nanos: i64) -> Self {
        let first_positive = missing.iter().position(|m| !m).unwrap_or(0);
        let last_positive = missing.iter().rposition(|m| !m).unwrap_or(0);
        let stages = missing.len();
        MissingCheck {
            missing,
            first_positive,
            last_positive,
            maxspan_millis: maxspan_nanos / NANOS_PER_MILLI,
            seen: vec![HashMap::new(); stages],
            arrivals: VecDeque::new(),
            candidates: VecDeque::new(),
            front_id: 0,
            deadlines: BTreeSet::new(),
        }
    }

    fn has_trailing(&self) -> bool {
        self.last_positive + 1 < self.missing.len()
    }

    /// Called before an event at `nanos` is processed: decides candidates whose deadline has
    /// passed and forgets events that can no longer matter.
    pub(crate) fn advance_to(&mut self, nanos: i64) {
        let now = nanos.div_euclid(NANOS_PER_MILLI);
        while let Some(&(deadline, id)) = self.deadlines.first() {
            if deadline >= now {
                break;
            }
            self.deadlines.remove(&(deadline, id));
            self.decide(id);
        }
        let horizon = now.saturating_sub(self.maxspan_millis.saturating_mul(2));
        while let Some((millis, _, _)) = self.arrivals.front() {
            if *millis >= horizon {
                break;
            }
            let Some((_, stage, key)) = self.arrivals.pop_front() else { break };
            if let Some(times) = self.seen[stage].get_mut(&key) {
                times.pop_front();
                if times.is_empty() {
                    self.seen[stage].remove(&key);
                }
            }
        }
    }

    /// Records that the event at `nanos` matches missing stage `stage` under `key`.
    pub(crate) fn record(&mut self, stage: usize, key: KeyTuple, nanos: i64) {
        let millis = nanos.div_euclid(NANOS_PER_MILLI);
        self.seen[stage].entry(key.clone()).or_default().push_back(millis);
        self.arrivals.push_back((millis, stage, key));
    }

    /// Adds a completed positive-only candidate; `nanos` holds each stage's event time.
    pub(crate) fn add(&mut self, result: SequenceMatch, nanos: &[Option<i64>]) {
        let millis: Vec<Option<i64>> =
            nanos.iter().map(|n| n.map(|n| n.div_euclid(NANOS_PER_MILLI))).collect();
        let id = self.front_id + self.candidates.len() as u64;
        let first = millis[self.first_positive].unwrap_or_default();
        self.candidates.push_back(Candidate { result, millis, kept: None });
        if self.has_trailing() {
            self.deadlines.insert((first.saturating_add(self.maxspan_millis), id));
        } else {
            self.decide(id);
        }
    }

    /// The candidates not yet released (decided or not).
    pub(crate) fn waiting(&self) -> impl Iterator<Item = &SequenceMatch> {
        self.candidates.iter().map(|candidate| &candidate.result)
    }

    /// Decides every candidate still open (end of input).
    pub(crate) fn finish(&mut self) {
        let open: Vec<u64> = self.deadlines.iter().map(|&(_, id)| id).collect();
        self.deadlines.clear();
        for id in open {
            self.decide(id);
        }
    }

    /// Pops decided candidates from the front, in completion order: `Some(true)` kept.
    pub(crate) fn pop_decided(&mut self) -> Option<(SequenceMatch, bool)> {
        let kept = self.candidates.front()?.kept?;
        let candidate = self.candidates.pop_front()?;
        self.front_id += 1;
        Some((candidate.result, kept))
    }

    fn decide(&mut self, id: u64) {
        let Some(index) = id.checked_sub(self.front_id).and_then(|i| usize::try_from(i).ok())
        else {
            return;
        };
        let Some(candidate) = self.candidates.get(index) else { return };
        let kept = self.keeps(candidate);
        if let Some(candidate) = self.candidates.get_mut(index) {
            candidate.kept = Some(kept);
        }
    }

    fn keeps(&self, candidate: &Candidate) -> bool {
        let key = &candidate.result.join_keys;
        let time = |stage: usize| candidate.millis[stage].unwrap_or_default();
        let (first, last) = (time(self.first_positive), time(self.last_positive));
        let (mut has_leading, mut has_trailing) = (false, false);
        let (mut last_leading, mut first_trailing): (Option<i64>, Option<i64>) = (None, None);
        for (stage, _) in self.missing.iter().enumerate().filter(|(_, missing)| **missing) {
            let times = self.seen[stage].get(key);
            if stage < self.first_positive {
                has_leading = true;
                let hit = times.and_then(|t| latest_before(t, first));
                last_leading = last_leading.max(hit);
            } else if stage > self.last_positive {
                has_trailing = true;
                if let Some(hit) = times.and_then(|t| earliest_after(t, last)) {
                    first_trailing = Some(first_trailing.map_or(hit, |f| f.min(hit)));
                }
            } else {
                let before = self.positive_around(stage, false).map_or(first, time);
                let after = self.positive_around(stage, true).map_or(last, time);
                if times.is_some_and(|t| any_between(t, before, after)) {
                    return false;
                }
            }
        }
        let span = self.maxspan_millis;
        match (last_leading, first_trailing) {
            (None, None) => true,
            _ if has_leading && last_leading.is_none() => true,
            _ if has_trailing && first_trailing.is_none() => true,
            (Some(leading), Some(trailing)) => trailing - leading > span,
            (Some(leading), None) => last - leading > span,
            (None, Some(trailing)) => trailing - first > span,
        }
    }

    /// The nearest positive stage after (`forward`) or before `stage`.
    fn positive_around(&self, stage: usize, forward: bool) -> Option<usize> {
        if forward {
            (stage + 1..self.missing.len()).find(|&s| !self.missing[s])
        } else {
            (0..stage).rev().find(|&s| !self.missing[s])
        }
    }
}

fn latest_before(times: &VecDeque<i64>, bound: i64) -> Option<i64> {
    let index = times.partition_point(|&t| t < bound);
    index.checked_sub(1).and_then(|i| times.get(i).copied())
}

fn earliest_after(times: &VecDeque<i64>, bound: i64) -> Option<i64> {
    times.get(times.partition_point(|&t| t <= bound)).copied()
}

fn any_between(times: &VecDeque<i64>, low: i64, high: i64) -> bool {
    times.get(times.partition_point(|&t| t <= low)).is_some_and(|&t| t < high)
}
