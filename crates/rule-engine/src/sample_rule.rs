//! One `eql` sample rule in the engine: each execution of Kibana's schedule runs the EQL
//! sample search over its own window, and every sample found alerts as a shell alert with
//! one building block per event (`sequence_alert.rs`).
//!
//! What Kibana and Elasticsearch do (`security_solution/server/lib/detection_engine/
//! rule_types/eql/`):
//! * `eql.ts` (`eqlExecutor`) sends the rule's query with `size: ruleParams.maxSignals`, and
//!   `build_eql_search_request.ts` (`buildEqlSearchRequest`) sets no `max_samples_per_key`, so
//!   Elasticsearch's default of 1 applies (`RequestDefaults.MAX_SAMPLES_PER_KEY`); samples
//!   are taken in key order and the search stops at `size` of them (`SampleIterator`);
//! * the request filters the search to the execution's window on the rule's time
//!   (`buildTimeRangeFilter`: `timestamp_override`, else `@timestamp`; both ends inclusive);
//! * Elasticsearch answers samples in `hits.sequences` (`SamplePayload` builds
//!   `EqlSearchResponse.Sequence` objects) and the executor wraps `hits.sequences` with
//!   `wrapSequences`, whatever the query was;
//! * overlapping windows find a sample again; its alerts have the same ids, which Kibana
//!   writes once, so here a sample alerts once.
//!
//! The sample search itself (join keys, key order, first events of each filter per key) is
//! `rule_sequence::SampleMatcher`, fed a window's events in input order (Elasticsearch's
//! index order). Across runs (the same engine's next `finish`, or `warden run --state`) the
//! rule keeps, like a threshold rule, its last execution, the matching events that
//! execution's window still holds (the *tail*) and the samples it found: the last execution
//! runs again with the new events its window gained, earlier ones do not.

use std::collections::HashSet;
use std::sync::Arc;

use rule_sequence::{
    EventRef, Limits, MatchSummary, ResultPosition, ResultWindow, SampleMatch, SampleMatcher,
    SamplePlan, SequenceError,
};
use rule_vm::{EventView, FieldTable, Program, Vm};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alert::{Alert, AlertRule, AlertSource};
use crate::compact_json::CompactJson;
use crate::schedule::{Schedule, ScheduleCounts};
use crate::sequence_alert::build_sequence_alerts;
use crate::timestamp::EventTime;

/// Samples per join-key combination in Kibana's request: Elasticsearch's default.
const MAX_SAMPLES_PER_KEY: usize = 1;

/// A matching event of a sample rule, kept compactly (parsed again for each window).
#[derive(Clone, Debug)]
pub(crate) struct SampleEvent {
    /// The rule's time of the event.
    pub(crate) time: EventTime,
    /// The event.
    pub(crate) source: CompactJson,
    /// Its index, when known.
    pub(crate) index: Option<String>,
    /// The hit's `_id`.
    pub(crate) id: Option<String>,
    /// Its line (see `InputEvent::line`).
    pub(crate) line: u64,
    /// Arrival order in its run (for ordering output).
    pub(crate) arrival: usize,
}

impl SampleEvent {
    /// The id an alert names it by: the hit's `_id`, else its line number.
    fn event_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.line.to_string())
    }

    /// Its identity in Elasticsearch, `(index, _id)`; `None` without an `_id`.
    fn key(&self) -> Option<(Option<&str>, &str)> {
        Some((self.index.as_deref(), self.id.as_deref()?))
    }

    /// What names it in a sample's identity (and in its alerts' ids): index and event id.
    fn name(&self) -> (Option<String>, String) {
        (self.index.clone(), self.event_id())
    }
}

/// A sample: its events' names, in filter order.
type SampleName = Vec<(Option<String>, String)>;

/// A sample rule's state between runs, as `warden run --state` saves it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedSamples {
    /// The last execution run, in nanoseconds since the epoch.
    pub(crate) last_execution: Option<i64>,
    /// The matching events its window (and later) holds, in input order.
    pub(crate) tail: Vec<SavedSampleEvent>,
    /// The samples the last execution found.
    pub(crate) last_found: Vec<SampleName>,
}

/// A saved [`SampleEvent`] (its arrival is that of an earlier run, so not kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedSampleEvent {
    /// The rule's time of the event, in nanoseconds since the epoch.
    pub(crate) time: i64,
    /// The event.
    pub(crate) document: Value,
    /// Its index, when known.
    pub(crate) index: Option<String>,
    /// The hit's `_id`.
    pub(crate) id: Option<String>,
    /// Its line.
    pub(crate) line: u64,
}

/// A sample found by an execution: its events (positions in [`SampleRun::events`]) in
/// filter order.
pub(crate) struct FoundSample {
    executed_at: EventTime,
    members: Vec<usize>,
}

/// What one run of a sample rule found.
pub(crate) struct SampleRun {
    /// The events searched: the carried tail, then this run's, in input order.
    pub(crate) events: Vec<SampleEvent>,
    /// The samples that alert, in the order found.
    pub(crate) found: Vec<FoundSample>,
    /// Executions replayed.
    pub(crate) counts: ScheduleCounts,
    /// Join-key combinations dropped at the state limits.
    pub(crate) evicted: u64,
}

/// The alerts of one sample: its latest event time and arrival (for ordering output), and the
/// shell alert followed by the building blocks.
pub(crate) struct SampleAlerts {
    pub(crate) time: EventTime,
    pub(crate) arrival: usize,
    pub(crate) alerts: Vec<Alert>,
}

/// A sample rule's plan and the state it carries from run to run.
pub(crate) struct SampleRule {
    plan: Arc<SamplePlan>,
    limits: Limits,
    /// The last execution run.
    last_execution: Option<EventTime>,
    /// The matching events its window (and later) holds, in input order.
    tail: Vec<SampleEvent>,
    /// The samples the last execution found.
    last_found: Vec<SampleName>,
}

impl SampleRule {
    /// A rule for `plan`, whose state is bounded by `limits`; refuses a plan the sample
    /// search cannot run (no join key, filters with different numbers of keys).
    pub(crate) fn new(plan: Arc<SamplePlan>, limits: Limits) -> Result<Self, SequenceError> {
        SampleMatcher::new(&plan, limits, MAX_SAMPLES_PER_KEY)?;
        Ok(Self { plan, limits, last_execution: None, tail: Vec::new(), last_found: Vec::new() })
    }

    /// The programs of its filters.
    pub(crate) fn programs(&self) -> impl Iterator<Item = &Program> {
        self.plan.stages.iter().map(|stage| &stage.program)
    }

    /// True if a filter matches the event.
    pub(crate) fn uses(&self, vm: &mut Vm, view: &mut EventView<'_>) -> bool {
        self.plan.stages.iter().any(|stage| vm.matches(&stage.program, view))
    }

    /// The state to save.
    pub(crate) fn save(&self) -> SavedSamples {
        let tail = self
            .tail
            .iter()
            .map(|event| SavedSampleEvent {
                time: event.time.as_nanos(),
                document: event.source.document().into_owned(),
                index: event.index.clone(),
                id: event.id.clone(),
                line: event.line,
            })
            .collect();
        SavedSamples {
            last_execution: self.last_execution.map(EventTime::as_nanos),
            tail,
            last_found: self.last_found.clone(),
        }
    }

    /// Goes on from a saved state.
    pub(crate) fn restore(&mut self, saved: SavedSamples) {
        self.last_execution = saved.last_execution.map(EventTime::from_nanos);
        self.tail = saved
            .tail
            .into_iter()
            .map(|event| SampleEvent {
                time: EventTime::from_nanos(event.time),
                source: CompactJson::new(event.document),
                index: event.index,
                id: event.id,
                line: event.line,
                arrival: 0,
            })
            .collect();
        self.last_found = saved.last_found;
    }

    /// Replays `schedule` over the carried tail and `events` (this run's matching events with
    /// a time): each execution searches its window. `carry` keeps what the next run needs
    /// (false without a schedule).
    pub(crate) fn run(
        &mut self,
        mut events: Vec<SampleEvent>,
        schedule: &Schedule,
        carry: bool,
        fields: &FieldTable,
        vm: &mut Vm,
    ) -> SampleRun {
        events.sort_by_key(|event| event.arrival);
        // An event read again (same index and `_id`) is the same document as the carried one.
        let carried: Vec<SampleEvent> = {
            let read_again: HashSet<(Option<&str>, &str)> =
                events.iter().filter_map(SampleEvent::key).collect();
            std::mem::take(&mut self.tail)
                .into_iter()
                .filter(|event| event.key().is_none_or(|key| !read_again.contains(&key)))
                .collect()
        };
        let events: Vec<SampleEvent> = carried.into_iter().chain(events).collect();
        let mut by_time: Vec<usize> = (0..events.len()).collect();
        by_time.sort_by_key(|&position| events[position].time);
        let times: Vec<EventTime> = by_time.iter().map(|&position| events[position].time).collect();
        let (windows, after_now) = schedule.windows(&times);
        let mut counts = ScheduleCounts { after_now, ..ScheduleCounts::default() };
        let mut evicted = 0;
        let mut found = Vec::new();
        let mut last = self.last_execution;
        let mut alerted: HashSet<SampleName> =
            std::mem::take(&mut self.last_found).into_iter().collect();
        let mut last_found = Vec::new();
        for (execution, range) in windows {
            if last.is_some_and(|previous| execution.at < previous) {
                continue;
            }
            if last != Some(execution.at) {
                last_found.clear();
            }
            last = Some(execution.at);
            counts.executions += 1;
            let mut members = by_time[range].to_vec();
            members.sort_unstable();
            let (mut samples, summary) = self.search(&events, &members, fields, vm);
            evicted += summary.evicted;
            if samples.len() > schedule.max_signals() {
                counts.executions_at_max_signals += 1;
                counts.cut_by_max_signals += (samples.len() - schedule.max_signals()) as u64;
                samples.truncate(schedule.max_signals());
            }
            for sample in samples {
                let members: Vec<usize> = sample.events.iter().map(|&EventRef(n)| n).collect();
                let name: SampleName = members.iter().map(|&n| events[n].name()).collect();
                last_found.push(name.clone());
                if alerted.insert(name) {
                    found.push(FoundSample { executed_at: execution.at, members });
                }
            }
        }
        if carry {
            let keep_from = last.map(|at| schedule.execution(at).from);
            self.last_execution = last;
            self.tail = events
                .iter()
                .filter(|event| keep_from.is_none_or(|from| event.time >= from))
                .cloned()
                .collect();
            self.last_found = last_found;
        }
        SampleRun { events, found, counts, evicted }
    }

    /// The samples of one window: its `members` (positions in `events`, input order), every
    /// sample in key order (what `size` cuts is counted by the caller).
    fn search(
        &self,
        events: &[SampleEvent],
        members: &[usize],
        fields: &FieldTable,
        vm: &mut Vm,
    ) -> (Vec<SampleMatch>, MatchSummary) {
        // The plan was checked when the rule was prepared (`new`).
        let Ok(mut matcher) = SampleMatcher::new(&self.plan, self.limits, MAX_SAMPLES_PER_KEY)
        else {
            return (Vec::new(), MatchSummary::default());
        };
        for &position in members {
            let event = &events[position];
            let document = event.source.document();
            let mut view = EventView::new(fields, &document);
            let index = event.index.as_deref().unwrap_or_default();
            matcher.push(EventRef(position), index, &mut view, vm);
        }
        matcher.finish(ResultWindow::new(&[], usize::MAX, ResultPosition::Head))
    }
}

impl SampleRun {
    /// The alerts of the samples found, for `rule` at `position`.
    pub(crate) fn alerts(&self, position: usize, rule: &AlertRule) -> Vec<SampleAlerts> {
        let mut all = Vec::with_capacity(self.found.len());
        for sample in &self.found {
            let members: Vec<&SampleEvent> =
                sample.members.iter().map(|&n| &self.events[n]).collect();
            let ids: Vec<String> = members.iter().map(|event| event.event_id()).collect();
            let documents: Vec<_> = members.iter().map(|event| event.source.document()).collect();
            let sources: Vec<AlertSource<'_>> = members
                .iter()
                .zip(&ids)
                .zip(&documents)
                .map(|((event, id), document)| AlertSource {
                    document,
                    index: event.index.as_deref(),
                    id,
                    time: Some(event.time),
                })
                .collect();
            let time = members.iter().map(|event| event.time).max().unwrap_or(sample.executed_at);
            let arrival = members.iter().map(|event| event.arrival).max().unwrap_or_default();
            let executed_at = Some(sample.executed_at);
            let alerts = build_sequence_alerts(position, rule, &sources, Some(time), executed_at);
            all.push(SampleAlerts { time, arrival, alerts });
        }
        all
    }
}
