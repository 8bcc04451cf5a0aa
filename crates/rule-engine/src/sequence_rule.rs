//! One `eql` sequence rule in the engine: its bounded state machine
//! (`rule_sequence::SequenceMatcher`) fed in search order through a bounded reorder buffer.
//!
//! Elasticsearch runs a sequence over the searched events sorted by the EQL timestamp field,
//! then the tiebreaker field (events without one after those with one), then the implicit
//! shard-doc order (eql.md §1.7); here input order plays the shard-doc part. Kibana's EQL rule
//! passes the rule's `timestamp_field` (default `@timestamp`), `event_category_override` and
//! `tiebreaker_field` to the EQL search, while `timestamp_override` only selects the time range
//! of an execution (`build_eql_search_request.ts`, `security_solution` detection engine). So
//! sequences are ordered by `@timestamp` (events without a usable one are not searched, as in
//! EQL) and the rule's time (`timestamp_override`) only stamps the alerts.
//!
//! Events arrive in input order, which need not be time order: each used event waits in a
//! min-heap of at most `reorder_window` events and is fed to the matcher once the heap is over
//! that size (or at the end of the run). An event older than one already fed is fed anyway and
//! counted as late, so a result may then differ from Elasticsearch's; the summary says so.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use rule_sequence::{
    EventRef, Limits, MatchSummary, MatcherState, ResultWindow, SequenceError, SequenceMatch,
    SequenceMatcher, SequencePlan, Tiebreaker,
};
use rule_vm::{EventView, Program, Vm};
use serde_json::Value;

use crate::fields::first_value;
use crate::timestamp::EventTime;

/// The field EQL orders events by when the rule names none (EQL search API default).
const EQL_TIMESTAMP_FIELD: &str = "@timestamp";

const NANOS_PER_MILLI: i64 = 1_000_000;

/// How sequence rules keep their state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceOptions {
    /// Caps on pending sequences and join keys per rule (oldest evicted, counted).
    pub limits: Limits,
    /// Events held per rule to put input into time order before matching.
    pub reorder_window: usize,
}

impl Default for SequenceOptions {
    fn default() -> Self {
        Self { limits: Limits::default(), reorder_window: 10_000 }
    }
}

/// What a sequence rule did beyond matching events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SequenceCounts {
    /// The state machine's counts (sequences completed, expired, evicted, killed by `until`).
    pub matcher: MatchSummary,
    /// Events fed after a later one had been fed (outside the reorder window).
    pub late_events: u64,
    /// Events a term matched that had no usable `@timestamp` (EQL does not search them).
    pub without_timestamp: u64,
    /// Sequences completed whose events no execution's window holds together (wider than
    /// the look-back, or past the fixed now): not alerted.
    pub outside_windows: u64,
}

/// Where an event sits in the search order.
#[derive(Clone, Debug)]
pub(crate) struct OrderKey {
    nanos: i64,
    tiebreaker: Option<Tiebreaker>,
    /// Arrival number in the run: input order, and the event's handle in the held store.
    arrival: usize,
}

impl OrderKey {
    /// The key of an event at `time`: Elasticsearch keeps `date` fields in milliseconds (EQL
    /// does not search `date_nanos` timestamps), so finer fractions do not order events.
    pub(crate) fn new(time: EventTime, tiebreaker: Option<Tiebreaker>, arrival: usize) -> Self {
        let nanos = time.as_millis().saturating_mul(NANOS_PER_MILLI);
        Self { nanos, tiebreaker, arrival }
    }

    pub(crate) fn arrival(&self) -> usize {
        self.arrival
    }

    /// The time in nanoseconds (whole milliseconds).
    pub(crate) fn nanos(&self) -> i64 {
        self.nanos
    }

    /// The tiebreaker value, if the event has one.
    pub(crate) fn tiebreaker(&self) -> Option<&Tiebreaker> {
        self.tiebreaker.as_ref()
    }
}

impl Ord for OrderKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos
            .cmp(&other.nanos)
            .then_with(|| match (&self.tiebreaker, &other.tiebreaker) {
                (Some(left), Some(right)) => left.compare(right),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| self.arrival.cmp(&other.arrival))
    }
}

impl PartialOrd for OrderKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for OrderKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for OrderKey {}

/// A sequence rule's state.
pub(crate) struct SequenceRule {
    plan: Arc<SequencePlan>,
    limits: Limits,
    reorder_window: usize,
    tiebreaker_field: Option<String>,
    matcher: SequenceMatcher,
    waiting: BinaryHeap<Reverse<OrderKey>>,
    last_fed: Option<OrderKey>,
    late_events: u64,
    without_timestamp: u64,
    outside_windows: u64,
    /// The matcher counts of the last finished run.
    finished: MatchSummary,
    /// Whether pending sequences go on into the next run (state kept with `--state`) instead
    /// of ending with each run.
    continuing: bool,
}

impl SequenceRule {
    pub(crate) fn new(
        plan: Arc<SequencePlan>,
        tiebreaker_field: Option<String>,
        options: &SequenceOptions,
    ) -> Result<Self, SequenceError> {
        let matcher =
            SequenceMatcher::new(Arc::clone(&plan), options.limits, ResultWindow::streaming())?;
        Ok(Self {
            plan,
            limits: options.limits,
            reorder_window: options.reorder_window,
            tiebreaker_field,
            matcher,
            waiting: BinaryHeap::new(),
            last_fed: None,
            late_events: 0,
            without_timestamp: 0,
            outside_windows: 0,
            finished: MatchSummary::default(),
            continuing: false,
        })
    }

    /// Keeps pending sequences from one run to the next (see [`finish`](Self::finish)).
    pub(crate) fn set_continuing(&mut self) {
        self.continuing = true;
    }

    /// The matcher's state, to save between runs; meant for the end of a run, once the
    /// reorder buffer is empty (events still waiting there are not part of it).
    pub(crate) fn save(&self) -> MatcherState {
        self.matcher.save()
    }

    /// Goes on from a saved matcher state.
    pub(crate) fn restore(&mut self, state: MatcherState) -> Result<(), SequenceError> {
        self.matcher = SequenceMatcher::restore(
            Arc::clone(&self.plan),
            self.limits,
            ResultWindow::streaming(),
            state,
        )?;
        Ok(())
    }

    /// The programs of its terms and of its `until` clause.
    pub(crate) fn programs(&self) -> impl Iterator<Item = &Program> {
        self.plan.stages.iter().chain(&self.plan.until).map(|stage| &stage.program)
    }

    /// True if a term or the `until` clause matches the event (others cannot change the state).
    pub(crate) fn uses(&self, vm: &mut Vm, view: &mut EventView<'_>) -> bool {
        self.plan
            .stages
            .iter()
            .chain(&self.plan.until)
            .any(|stage| vm.matches(&stage.program, view))
    }

    /// Queues a used event (`arrival` is its handle); `false` when it has no usable
    /// timestamp and is left out.
    pub(crate) fn offer(&mut self, document: &Value, arrival: usize) -> bool {
        let time = first_value(document, EQL_TIMESTAMP_FIELD)
            .and_then(|value| EventTime::from_json(value).ok().flatten());
        let Some(time) = time else {
            self.without_timestamp += 1;
            return false;
        };
        let tiebreaker = self
            .tiebreaker_field
            .as_deref()
            .and_then(|field| first_value(document, field))
            .and_then(Tiebreaker::from_json);
        self.waiting.push(Reverse(OrderKey::new(time, tiebreaker, arrival)));
        true
    }

    /// The next event to feed: the earliest waiting one once more than the reorder window
    /// wait, or any at all when `flush`.
    pub(crate) fn next_ready(&mut self, flush: bool) -> Option<OrderKey> {
        if !flush && self.waiting.len() <= self.reorder_window {
            return None;
        }
        self.waiting.pop().map(|Reverse(key)| key)
    }

    /// Feeds one event (its `view`) to the state machine; returns the sequences it completed.
    pub(crate) fn feed(
        &mut self,
        key: OrderKey,
        view: &mut EventView<'_>,
        vm: &mut Vm,
    ) -> Vec<SequenceMatch> {
        if self.last_fed.as_ref().is_some_and(|last| key < *last) {
            self.late_events += 1;
        }
        self.matcher.push(EventRef(key.arrival), key.nanos, view, vm);
        self.last_fed = Some(key);
        self.matcher.drain_completed()
    }

    /// Ends the run: the sequences decided only now (missing-event checks), and the state is
    /// reset for the next run (Kibana runs each execution's sequences on their own).
    ///
    /// A continuing rule keeps its pending sequences and undecided missing-event checks for
    /// the next run instead, as one long run over both runs' events would.
    pub(crate) fn finish(&mut self) -> Result<Vec<SequenceMatch>, SequenceError> {
        if self.continuing {
            self.finished = self.matcher.take_summary();
            return Ok(self.matcher.drain_completed());
        }
        let fresh =
            SequenceMatcher::new(Arc::clone(&self.plan), self.limits, ResultWindow::streaming())?;
        let (found, summary) = std::mem::replace(&mut self.matcher, fresh).finish();
        self.last_fed = None;
        self.finished = summary;
        Ok(found)
    }

    /// Every held event this rule may still need (waiting or in the state machine).
    pub(crate) fn referenced_events(&self, out: &mut Vec<EventRef>) {
        out.extend(self.waiting.iter().map(|Reverse(key)| EventRef(key.arrival)));
        self.matcher.referenced_events(out);
    }

    /// Counts a completed sequence no execution's window holds (not alerted).
    pub(crate) fn note_outside_windows(&mut self) {
        self.outside_windows += 1;
    }

    /// The counts of the run that [`finish`](Self::finish) ended; resets them.
    pub(crate) fn take_counts(&mut self) -> SequenceCounts {
        let counts = SequenceCounts {
            matcher: std::mem::take(&mut self.finished),
            late_events: self.late_events,
            without_timestamp: self.without_timestamp,
            outside_windows: self.outside_windows,
        };
        self.late_events = 0;
        self.without_timestamp = 0;
        self.outside_windows = 0;
        counts
    }
}
