//! Saving and restoring a [`SequenceMatcher`]'s state ([`MatcherState`]), so that sequences can
//! span several runs over consecutive parts of an event stream (`warden run --state DIR`).
//!
//! The saved state holds the pending sequences, the missing-term events still in reach and the
//! candidates waiting for their missing-term check, with the caller's [`EventRef`] handles; the
//! caller saves the events behind those handles itself and may renumber them
//! ([`MatcherState::map_events`]). The counts ([`crate::MatchSummary`]) are per run and not
//! saved. [`SequenceMatcher::restore`] checks the state against the plan and refuses what
//! does not fit, so a corrupt or foreign state is an error, never a panic.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::SequenceError;
use crate::key::KeyTuple;
use crate::limits::{Limits, MatchSummary};
use crate::missing::Candidate;
use crate::plan::SequencePlan;
use crate::sequence::{EventRef, KeyState, Pending, SequenceMatch, SequenceMatcher};
use crate::window::ResultWindow;

/// A pending sequence: its key, the slot of the last positive stage it matched, and its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct SavedPending {
    key: KeyTuple,
    slot: usize,
    id: u64,
    start_nanos: i64,
    /// (plan stage, event, time in nanoseconds).
    steps: Vec<(usize, EventRef, i64)>,
}

/// A completed positive-only sequence waiting for its missing-term check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct SavedCandidate {
    result: SequenceMatch,
    millis: Vec<Option<i64>>,
    kept: Option<bool>,
}

/// Everything a [`SequenceMatcher`] needs to go on where it stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatcherState {
    pending: Vec<SavedPending>,
    /// Missing-term events still in reach: (milliseconds, plan stage, key), oldest first.
    missing_events: Vec<(i64, usize, KeyTuple)>,
    candidates: Vec<SavedCandidate>,
    front_id: u64,
    /// (deadline in ms, candidate id) of undecided candidates with trailing terms.
    deadlines: Vec<(i64, u64)>,
    /// Results found but not yet taken by the caller.
    results: Vec<SequenceMatch>,
    next_id: u64,
}

impl MatcherState {
    /// Pending sequences in the state.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Every event handle the state refers to (with repeats).
    pub fn events(&self) -> Vec<EventRef> {
        let mut events = Vec::new();
        for pending in &self.pending {
            events.extend(pending.steps.iter().map(|&(_, event, _)| event));
        }
        for candidate in &self.candidates {
            events.extend(candidate.result.events.iter().flatten());
        }
        for result in &self.results {
            events.extend(result.events.iter().flatten());
        }
        events
    }

    /// Replaces every event handle by `map(handle)`.
    pub fn map_events(&mut self, mut map: impl FnMut(EventRef) -> EventRef) {
        for pending in &mut self.pending {
            for step in &mut pending.steps {
                step.1 = map(step.1);
            }
        }
        let results = self.candidates.iter_mut().map(|c| &mut c.result).chain(&mut self.results);
        for result in results {
            for event in result.events.iter_mut().flatten() {
                *event = map(*event);
            }
        }
    }
}

impl SequenceMatcher {
    /// The state to save: what [`restore`](Self::restore) needs to go on from here.
    pub fn save(&self) -> MatcherState {
        let mut pending: Vec<SavedPending> = self
            .by_start
            .values()
            .filter_map(|(key, slot)| {
                let found = self.keys.get(key)?.slots.get(*slot)?.as_ref()?;
                Some(SavedPending {
                    key: key.clone(),
                    slot: *slot,
                    id: found.id,
                    start_nanos: found.start_nanos,
                    steps: found.steps.clone(),
                })
            })
            .collect();
        pending.sort_by_key(|saved| (saved.start_nanos, saved.id));
        let mut state = MatcherState {
            pending,
            results: self.window.iter().cloned().collect(),
            next_id: self.next_id,
            ..MatcherState::default()
        };
        if let Some(missing) = &self.missing {
            state.missing_events = missing.arrivals.iter().cloned().collect();
            state.candidates = missing
                .candidates
                .iter()
                .map(|candidate| SavedCandidate {
                    result: candidate.result.clone(),
                    millis: candidate.millis.clone(),
                    kept: candidate.kept,
                })
                .collect();
            state.front_id = missing.front_id;
            state.deadlines = missing.deadlines.iter().copied().collect();
        }
        state
    }

    /// A matcher for `plan` that goes on from `state` (saved by [`save`](Self::save) for the
    /// same plan); refuses a state that does not fit the plan.
    pub fn restore(
        plan: Arc<SequencePlan>,
        limits: Limits,
        window: ResultWindow<SequenceMatch>,
        state: MatcherState,
    ) -> Result<Self, SequenceError> {
        let mut matcher = SequenceMatcher::new(plan, limits, window)?;
        let invalid = |problem: String| SequenceError::InvalidState { problem };
        let key_count = matcher.plan.stages[0].keys.len();
        let slots = matcher.positive.len() - 1;
        let stages = matcher.plan.stages.len();
        for saved in state.pending {
            if saved.key.len() != key_count {
                return Err(invalid(format!(
                    "a pending sequence has {} join keys, the query {key_count}",
                    saved.key.len()
                )));
            }
            if saved.slot >= slots || saved.steps.len() != saved.slot + 1 {
                return Err(invalid(format!(
                    "a pending sequence at stage {} with {} steps",
                    saved.slot,
                    saved.steps.len()
                )));
            }
            let stages_fit = saved
                .steps
                .iter()
                .zip(&matcher.positive)
                .all(|(&(stage, _, _), &expected)| stage == expected);
            if !stages_fit {
                return Err(invalid("a pending sequence's steps are not the query's terms".into()));
            }
            let state = matcher
                .keys
                .entry(saved.key.clone())
                .or_insert_with(|| KeyState { slots: (0..slots).map(|_| None).collect() });
            let pending =
                Pending { id: saved.id, start_nanos: saved.start_nanos, steps: saved.steps };
            if state.slots[saved.slot].replace(pending).is_some() {
                return Err(invalid("two pending sequences in one slot".into()));
            }
            matcher.by_start.insert((saved.start_nanos, saved.id), (saved.key, saved.slot));
        }
        for result in state.results {
            if result.events.len() != stages {
                return Err(invalid("a result with the wrong number of events".into()));
            }
            matcher.window.push(result);
        }
        matcher.next_id = state.next_id;
        let check = SavedCheck {
            events: state.missing_events,
            candidates: state.candidates,
            front_id: state.front_id,
            deadlines: state.deadlines,
        };
        restore_missing(&mut matcher, check)?;
        Ok(matcher)
    }

    /// The counts so far, which restart from zero (the end of a run that goes on later).
    pub fn take_summary(&mut self) -> MatchSummary {
        std::mem::take(&mut self.summary)
    }
}

/// The saved parts of a missing-term check.
struct SavedCheck {
    events: Vec<(i64, usize, KeyTuple)>,
    candidates: Vec<SavedCandidate>,
    front_id: u64,
    deadlines: Vec<(i64, u64)>,
}

/// Restores the missing-term check's events and candidates.
fn restore_missing(matcher: &mut SequenceMatcher, saved: SavedCheck) -> Result<(), SequenceError> {
    let SavedCheck { events, candidates, front_id, deadlines } = saved;
    let invalid = |problem: &str| SequenceError::InvalidState { problem: problem.to_owned() };
    let stages = matcher.plan.stages.len();
    let Some(missing) = &mut matcher.missing else {
        if events.is_empty() && candidates.is_empty() && deadlines.is_empty() {
            return Ok(());
        }
        return Err(invalid("missing-event state for a query without missing-event terms"));
    };
    let mut seen: Vec<HashMap<KeyTuple, VecDeque<i64>>> = vec![HashMap::new(); stages];
    for (millis, stage, key) in &events {
        if !missing.missing.get(*stage).copied().unwrap_or(false) {
            return Err(invalid("a missing-term event of a term that is not a missing term"));
        }
        seen[*stage].entry(key.clone()).or_default().push_back(*millis);
    }
    if candidates.iter().any(|c| c.millis.len() != stages || c.result.events.len() != stages) {
        return Err(invalid("a missing-term candidate with the wrong number of events"));
    }
    let ids = front_id..front_id.saturating_add(candidates.len() as u64);
    if deadlines.iter().any(|(_, id)| !ids.contains(id)) {
        return Err(invalid("a missing-term deadline of no candidate"));
    }
    missing.front_id = front_id;
    missing.deadlines = deadlines.into_iter().collect();
    missing.seen = seen;
    missing.arrivals = events.into_iter().collect();
    missing.candidates = candidates
        .into_iter()
        .map(|c| Candidate { result: c.result, millis: c.millis, kept: c.kept })
        .collect();
    Ok(())
}
