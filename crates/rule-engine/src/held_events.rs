//! The events sequence rules still need, by arrival number, with a mark-and-sweep that
//! forgets the rest.
//!
//! A sequence rule holds events while they wait in its reorder buffer, sit in a pending
//! sequence, or wait for a missing-event check; the state machine does not say when it lets
//! one go. So the store sweeps when it has doubled since the last sweep: it asks every rule
//! which events it still references and drops the others. Each sweep costs time linear in
//! what was kept, so the cost per stored event stays constant (amortised).

use std::collections::HashMap;

use event_input::InputEvent;
use rule_sequence::EventRef;

use crate::compact_json::CompactJson;

/// Sweeps never run below this many held events.
const MIN_SWEEP_SIZE: usize = 4096;

/// A held event, kept compactly, and its index.
#[derive(Debug)]
pub(crate) struct HeldEvent {
    pub(crate) source: CompactJson,
    /// The hit's `_index` (see [`InputEvent::index`]).
    pub(crate) hit_index: Option<String>,
    /// The hit's `_id`.
    pub(crate) id: Option<String>,
    /// See [`InputEvent::line`].
    pub(crate) line: u64,
    pub(crate) index: Option<String>,
}

impl HeldEvent {
    /// Holds `event` (from `index`) compactly.
    pub(crate) fn new(event: InputEvent, index: Option<String>) -> Self {
        let InputEvent { source, index: hit_index, id, line } = event;
        Self { source: CompactJson::new(source), hit_index, id, line, index }
    }

    /// The event's id: the hit's `_id`, else its line number (see `engine::event_id`).
    pub(crate) fn event_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.line.to_string())
    }
}

/// Held events by arrival number.
#[derive(Debug, Default)]
pub(crate) struct HeldEvents {
    events: HashMap<usize, HeldEvent>,
    kept_at_last_sweep: usize,
    /// Most events held at once in the run.
    peak: usize,
}

impl HeldEvents {
    pub(crate) fn insert(&mut self, arrival: usize, held: HeldEvent) {
        self.events.insert(arrival, held);
        self.peak = self.peak.max(self.events.len());
    }

    pub(crate) fn get(&self, arrival: usize) -> Option<&HeldEvent> {
        self.events.get(&arrival)
    }

    /// True when a sweep is due.
    pub(crate) fn wants_sweep(&self) -> bool {
        self.events.len() >= MIN_SWEEP_SIZE.max(self.kept_at_last_sweep.saturating_mul(2))
    }

    /// Keeps only the events in `referenced` (which it sorts and may reorder).
    pub(crate) fn sweep(&mut self, referenced: &mut Vec<EventRef>) {
        referenced.sort_unstable();
        referenced.dedup();
        self.events.retain(|arrival, _| referenced.binary_search(&EventRef(*arrival)).is_ok());
        self.kept_at_last_sweep = self.events.len();
    }

    /// The peak number held in the run, which restarts from what is held now (the end of a
    /// run whose events go on into the next).
    pub(crate) fn take_peak(&mut self) -> usize {
        std::mem::replace(&mut self.peak, self.events.len())
    }

    /// Forgets everything (end of a run) and returns the peak number held.
    pub(crate) fn clear(&mut self) -> usize {
        self.events.clear();
        self.kept_at_last_sweep = 0;
        std::mem::take(&mut self.peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn held(line: u64) -> HeldEvent {
        HeldEvent::new(InputEvent { source: json!({}), index: None, id: None, line }, None)
    }

    #[test]
    fn sweeps_when_doubled_and_keeps_only_referenced_events() {
        let mut store = HeldEvents::default();
        for arrival in 0..MIN_SWEEP_SIZE - 1 {
            store.insert(arrival, held(arrival as u64));
        }
        assert!(!store.wants_sweep());
        store.insert(MIN_SWEEP_SIZE - 1, held(0));
        assert!(store.wants_sweep());
        let mut referenced: Vec<EventRef> = (0..MIN_SWEEP_SIZE).step_by(2).map(EventRef).collect();
        store.sweep(&mut referenced);
        assert!(store.get(0).is_some() && store.get(1).is_none());
        assert!(!store.wants_sweep());
        assert_eq!(store.clear(), MIN_SWEEP_SIZE);
        assert!(store.get(0).is_none());
    }
}
