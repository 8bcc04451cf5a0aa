//! Bounds on the matcher state and the counts of what happened to it.

/// Caps on in-flight state. When a cap is hit the oldest pending sequence (by first-event
/// time) is dropped and counted in [`MatchSummary::evicted`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most pending (started, not completed) sequences kept at once.
    pub max_pending_sequences: usize,
    /// Most distinct join-key combinations with pending state (sequences) or with
    /// candidate events (samples).
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_pending_sequences: 100_000, max_keys: 100_000 }
    }
}

/// What the matcher did, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchSummary {
    /// Events fed to the matcher.
    pub events: u64,
    /// Events that matched at least one stage (or the `until` clause).
    pub matched_events: u64,
    /// Stage matches left out because a required join key had no value.
    pub without_key: u64,
    /// Sequences started.
    pub started: u64,
    /// Sequences (or samples) completed and reported before pipes and `size`.
    pub completed: u64,
    /// Pending sequences dropped because `maxspan` had passed since their first event.
    pub expired_by_maxspan: u64,
    /// Pending sequences ended by an `until` event with the same key.
    pub killed_by_until: u64,
    /// Completed candidates discarded because a missing-event term (`![...]`) was found.
    pub discarded_by_missing: u64,
    /// Pending sequences, or sample keys, dropped to stay within [`Limits`].
    pub evicted: u64,
}
