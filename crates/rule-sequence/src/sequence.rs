//! [`SequenceMatcher`]: Elasticsearch's sequence state machine over events fed in order.
//!
//! Semantics (eql.md §1.7, ES `SequenceMatcher`, `KeyToSequences`, `OrdinalGroup`):
//! * events arrive ordered by timestamp, tiebreaker, then input order; each later stage
//!   must match a strictly later event;
//! * per join key and stage there is one pending sequence: when a stage-k event arrives it
//!   takes the newest pending stage-(k-1) sequence of its key and discards the older ones
//!   (`trimBefore`), so keeping only the newest per slot is the same machine;
//! * an event matching several stages advances pending sequences later stages first, and
//!   also starts a new one;
//! * `maxspan`: a sequence is rejected when `ts(event) - ts(first) > maxspan` (equal is
//!   allowed); pending sequences past that are dropped through a first-event-time index;
//! * `until`: an until event kills every pending sequence of its key, also one the same
//!   event has just started or advanced (ES `Ordinal.between` is inclusive: the until
//!   ordinal equal to the sequence's last ordinal rejects the next step), while a sequence
//!   the event completes stands (QA `sequenceWithOptionalFieldsAndUntil_2`);
//! * missing-event terms are skipped by the state machine and checked on completion
//!   ([`crate::missing`]).
//!
//! Completed sequences are reported in completion order, which is the order of their last
//! event (ES keeps completed sequences sorted by the last event's ordinal); several
//! sequences completed by one multi-valued event follow their key order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rule_vm::{EventView, Vm};

use crate::error::SequenceError;
use crate::key::{DateKeys, KeyTuple, key_combinations};
use crate::limits::{Limits, MatchSummary};
use crate::missing::MissingCheck;
use crate::plan::SequencePlan;
use crate::window::ResultWindow;

/// The caller's handle of an event (e.g. its index in the input).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct EventRef(pub usize);

/// A matched sequence: its join-key values and one entry per stage (`None` is the
/// placeholder of a missing-event term).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SequenceMatch {
    /// The join-key values, shared keys first.
    pub join_keys: KeyTuple,
    /// The events in stage order.
    pub events: Vec<Option<EventRef>>,
}

/// A started, not yet completed sequence.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) id: u64,
    pub(crate) start_nanos: i64,
    /// (plan stage, event, time) of each matched positive stage.
    pub(crate) steps: Vec<(usize, EventRef, i64)>,
}

/// Pending sequences of one key: slot i holds the newest sequence that has matched
/// positive stage i (the last positive stage completes instead).
#[derive(Debug)]
pub(crate) struct KeyState {
    pub(crate) slots: Vec<Option<Pending>>,
}

impl KeyState {
    fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }
}

/// Matches one compiled sequence over events fed in ascending order.
///
/// The matcher shares its plan (an [`Arc`]), so a long-lived owner such as a detection engine
/// can keep the plan and the matcher side by side.
pub struct SequenceMatcher {
    pub(crate) plan: Arc<SequencePlan>,
    /// Plan stage index of each positive (not missing) stage, in order.
    pub(crate) positive: Vec<usize>,
    limits: Limits,
    maxspan_nanos: Option<i64>,
    pub(crate) keys: HashMap<KeyTuple, KeyState>,
    /// (first-event time, id) -> (key, slot) of every pending sequence.
    pub(crate) by_start: BTreeMap<(i64, u64), (KeyTuple, usize)>,
    pub(crate) missing: Option<MissingCheck>,
    pub(crate) window: ResultWindow<SequenceMatch>,
    pub(crate) next_id: u64,
    pub(crate) summary: MatchSummary,
    hits: Vec<bool>,
}

impl SequenceMatcher {
    /// A matcher for `plan`, returning what `window` selects.
    pub fn new(
        plan: Arc<SequencePlan>,
        limits: Limits,
        window: ResultWindow<SequenceMatch>,
    ) -> Result<Self, SequenceError> {
        if plan.stages.len() < 2 {
            return Err(SequenceError::TooFewTerms { found: plan.stages.len() });
        }
        let expected = plan.stages[0].keys.len();
        for (term, stage) in plan.stages.iter().chain(&plan.until).enumerate() {
            if stage.keys.len() != expected {
                return Err(SequenceError::JoinKeyCount {
                    term: term + 1,
                    expected,
                    found: stage.keys.len(),
                });
            }
        }
        let positive: Vec<usize> =
            plan.stages.iter().enumerate().filter(|(_, s)| !s.missing).map(|(i, _)| i).collect();
        if positive.is_empty() {
            return Err(SequenceError::NoPositiveTerm);
        }
        let maxspan_nanos =
            plan.maxspan_nanos.map(|n| i64::try_from(n).unwrap_or(i64::MAX)).filter(|&n| n > 0);
        let has_missing = positive.len() < plan.stages.len();
        let missing = match (has_missing, maxspan_nanos) {
            (false, _) => None,
            (true, None) => return Err(SequenceError::MissingWithoutMaxspan),
            (true, Some(span)) => {
                Some(MissingCheck::new(plan.stages.iter().map(|s| s.missing).collect(), span))
            }
        };
        let hits = vec![false; plan.stages.len()];
        Ok(SequenceMatcher {
            plan,
            positive,
            limits,
            maxspan_nanos,
            keys: HashMap::new(),
            by_start: BTreeMap::new(),
            missing,
            window,
            next_id: 0,
            summary: MatchSummary::default(),
            hits,
        })
    }

    /// True once the result window can take no more (a `head` selection is full), so
    /// feeding more events changes nothing.
    pub fn is_done(&self) -> bool {
        self.window.is_full()
    }

    /// What happened so far.
    pub fn summary(&self) -> MatchSummary {
        self.summary
    }

    /// Pending sequences held right now.
    pub fn pending(&self) -> usize {
        self.by_start.len()
    }

    /// Takes the sequences completed so far, in order, when the window is
    /// [`ResultWindow::streaming`] (every result is final as soon as it is found); other
    /// windows select at [`finish`](Self::finish) and give nothing here.
    pub fn drain_completed(&mut self) -> Vec<SequenceMatch> {
        self.window.drain_final()
    }

    /// Every event the matcher still holds (pending sequences, sequences waiting for their
    /// missing-event check, selected results), so that the caller can forget the others.
    pub fn referenced_events(&self, out: &mut Vec<EventRef>) {
        for state in self.keys.values() {
            for pending in state.slots.iter().flatten() {
                out.extend(pending.steps.iter().map(|&(_, event, _)| event));
            }
        }
        if let Some(missing) = &self.missing {
            for waiting in missing.waiting() {
                out.extend(waiting.events.iter().flatten());
            }
        }
        for found in self.window.iter() {
            out.extend(found.events.iter().flatten());
        }
    }

    /// Feeds the next event (ascending order) at `nanos` since the epoch.
    pub fn push(&mut self, event: EventRef, nanos: i64, view: &mut EventView<'_>, vm: &mut Vm) {
        self.summary.events += 1;
        self.expire(nanos);
        if let Some(missing) = &mut self.missing {
            missing.advance_to(nanos);
        }
        let plan = Arc::clone(&self.plan);
        let mut any = false;
        for (stage, hit) in plan.stages.iter().zip(self.hits.iter_mut()) {
            *hit = vm.matches(&stage.program, view);
            any |= *hit;
        }
        let until_hit = plan.until.as_ref().is_some_and(|until| vm.matches(&until.program, view));
        if !any && !until_hit {
            self.release();
            return;
        }
        self.summary.matched_events += 1;
        for index in (0..self.positive.len()).rev() {
            let stage = self.positive[index];
            if !self.hits[stage] {
                continue;
            }
            let combos = key_combinations(view, &plan.stages[stage].keys, DateKeys::AsWritten);
            if combos.is_empty() {
                self.summary.without_key += 1;
            }
            for key in combos {
                self.advance(index, key, event, nanos);
            }
        }
        if let Some(until) = plan.until.as_ref().filter(|_| until_hit) {
            for key in key_combinations(view, &until.keys, DateKeys::AsWritten) {
                self.kill(&key);
            }
        }
        if let Some(missing) = &mut self.missing {
            for (stage, plan_stage) in plan.stages.iter().enumerate() {
                if plan_stage.missing && self.hits[stage] {
                    for key in key_combinations(view, &plan_stage.keys, DateKeys::AsWritten) {
                        missing.record(stage, key, nanos);
                    }
                }
            }
        }
        self.enforce_limits();
        self.release();
    }

    /// Ends the input and returns the selected sequences, ascending.
    pub fn finish(mut self) -> (Vec<SequenceMatch>, MatchSummary) {
        if let Some(missing) = &mut self.missing {
            missing.finish();
        }
        self.release();
        (self.window.finish(), self.summary)
    }

    fn advance(&mut self, index: usize, key: KeyTuple, event: EventRef, nanos: i64) {
        let step = (self.positive[index], event, nanos);
        let last = self.positive.len() - 1;
        let pending = if index == 0 {
            self.summary.started += 1;
            self.next_id += 1;
            Pending { id: self.next_id, start_nanos: nanos, steps: vec![step] }
        } else {
            let Some(mut pending) = self.take(&key, index - 1) else { return };
            if self.exceeds_maxspan(pending.start_nanos, nanos) {
                self.summary.expired_by_maxspan += 1;
                return;
            }
            pending.steps.push(step);
            pending
        };
        if index == last {
            self.complete(key, &pending);
        } else {
            self.store(key, index, pending);
        }
    }

    fn exceeds_maxspan(&self, start: i64, now: i64) -> bool {
        self.maxspan_nanos
            .is_some_and(|span| i128::from(now) - i128::from(start) > i128::from(span))
    }

    fn store(&mut self, key: KeyTuple, slot: usize, pending: Pending) {
        self.by_start.insert((pending.start_nanos, pending.id), (key.clone(), slot));
        let slots = self.positive.len() - 1;
        let state = self
            .keys
            .entry(key)
            .or_insert_with(|| KeyState { slots: (0..slots).map(|_| None).collect() });
        if let Some(old) = state.slots[slot].replace(pending) {
            self.by_start.remove(&(old.start_nanos, old.id));
        }
    }

    fn take(&mut self, key: &KeyTuple, slot: usize) -> Option<Pending> {
        let state = self.keys.get_mut(key)?;
        let pending = state.slots[slot].take()?;
        if state.is_empty() {
            self.keys.remove(key);
        }
        self.by_start.remove(&(pending.start_nanos, pending.id));
        Some(pending)
    }

    /// `until`: drops every pending sequence of the key (completed ones are gone already).
    fn kill(&mut self, key: &KeyTuple) {
        let Some(state) = self.keys.get_mut(key) else { return };
        for slot in &mut state.slots {
            if let Some(pending) = slot.take() {
                self.by_start.remove(&(pending.start_nanos, pending.id));
                self.summary.killed_by_until += 1;
            }
        }
        if state.is_empty() {
            self.keys.remove(key);
        }
    }

    /// Drops pending sequences whose first event is more than `maxspan` before `nanos`.
    fn expire(&mut self, nanos: i64) {
        while let Some((&(start, id), _)) = self.by_start.first_key_value() {
            if !self.exceeds_maxspan(start, nanos) {
                break;
            }
            self.drop_pending(start, id);
            self.summary.expired_by_maxspan += 1;
        }
    }

    fn enforce_limits(&mut self) {
        while self.by_start.len() > self.limits.max_pending_sequences
            || self.keys.len() > self.limits.max_keys
        {
            let Some((&(start, id), _)) = self.by_start.first_key_value() else { break };
            self.drop_pending(start, id);
            self.summary.evicted += 1;
        }
    }

    fn drop_pending(&mut self, start: i64, id: u64) {
        let Some((key, slot)) = self.by_start.remove(&(start, id)) else { return };
        if let Some(state) = self.keys.get_mut(&key) {
            if state.slots[slot].as_ref().is_some_and(|p| p.id == id) {
                state.slots[slot] = None;
            }
            if state.is_empty() {
                self.keys.remove(&key);
            }
        }
    }

    fn complete(&mut self, key: KeyTuple, pending: &Pending) {
        let stages = self.plan.stages.len();
        let mut events = vec![None; stages];
        let mut nanos = vec![None; stages];
        for &(stage, event, time) in &pending.steps {
            events[stage] = Some(event);
            nanos[stage] = Some(time);
        }
        let result = SequenceMatch { join_keys: key, events };
        if let Some(missing) = &mut self.missing {
            missing.add(result, &nanos);
        } else {
            self.summary.completed += 1;
            self.window.push(result);
        }
    }

    /// Moves decided missing-event candidates into the result window, in order.
    fn release(&mut self) {
        let Some(missing) = &mut self.missing else { return };
        while let Some((result, kept)) = missing.pop_decided() {
            if kept {
                self.summary.completed += 1;
                self.window.push(result);
            } else {
                self.summary.discarded_by_missing += 1;
            }
        }
    }
}
