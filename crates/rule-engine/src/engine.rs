//! The engine: routes each event to the rules that can match it, runs their programs, then
//! turns the matches into alerts by rule type.
//!
//! Events are matched as they arrive (in batches that share one `EventView` buffer); only
//! events that matched some rule are kept, compactly: as serialized JSON text (a parsed `Value`
//! tree is several times larger) with each matching rule's event time read beforehand, parsed
//! again only to build an alert or read terms. [`Engine::finish`] then runs each rule type over
//! its matches: one alert per match for `eql` and `query` rules, for `new_terms` rules
//! the matches in time order (stable sort by the rule's event time) through the rule's
//! history, and for `threshold` and `eql` sample rules each execution's window at once. The
//! rules' state (`new_terms` history, threshold and sample tails) stays in the engine from one
//! `finish` to the next, so a later run continues where the last one stopped. `eql` sequence
//! rules instead run while events arrive (see `sequences.rs`): their alerts are raised as
//! sequences complete, and `finish` ends their run.

use std::collections::HashSet;

use event_input::{InputEvent, MalformedLine};
use rule_model::Rule;
use rule_vm::{EventView, FieldTable, ViewBuffers, Vm};
use serde_json::Value;

use crate::alert::{Alert, AlertRule, AlertSource, build_alert};
use crate::alert_ids::threshold_parent_id;
use crate::compact_json::CompactJson;
use crate::error::EngineError;
use crate::fields::first_value;
use crate::routing::{Router, Routing};
use crate::rule::{CompiledQuery, PreparedRule, RuleBehaviour};
use crate::sample_rule::SampleEvent;
use crate::schedule::{Execution, Schedule, ScheduleCounts};
use crate::sequence_rule::{SequenceCounts, SequenceOptions};
use crate::sequences::SequenceRuns;
use crate::suppression::{GroupKey, KeptAlert, SuppressionState, fold_into};
use crate::threshold::{Bucket, TailEvent};
use crate::timestamp::{EventTime, TimeError};

/// How alerts are ordered in the output: no time last, time, arrival of the (last) event,
/// rule, then position within a sequence's alert group.
pub(crate) type AlertOrder = (bool, Option<EventTime>, usize, usize, usize);

/// Events matched together, sharing one field-resolution buffer. Small on purpose: the
/// unmatched events of a batch are dropped together, and large batches of parsed JSON cost
/// more in allocator work than the shared buffer saves (measured with `benches/seeds.rs`:
/// 1024 ran at half the speed of 16).
const BATCH_SIZE: usize = 16;

/// Detailed messages kept per kind of warning; further ones are only counted.
const MAX_WARNING_DETAILS: usize = 20;

/// How the engine runs.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Index of events that are not Elasticsearch hits (`--index NAME`).
    pub default_index: Option<String>,
    /// Add `kibana.alert.rule.parameters` to alerts.
    pub rule_parameters: bool,
    /// How candidate rules are found (indexed, or a full scan for checking).
    pub routing: Routing,
    /// State bounds of `eql` sequence rules.
    pub sequences: SequenceOptions,
    /// Alert on every match, without Kibana's schedule (no windows, no `max_signals`);
    /// `threshold` rules then count all their events in one execution.
    pub unscheduled: bool,
    /// The last execution time; `None`: executions fall on multiples of each rule's
    /// interval, the first at or after the earliest event (see [`crate::schedule`]).
    pub now: Option<EventTime>,
}

/// What happened in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Events read (malformed lines not included).
    pub events_read: u64,
    /// Lines that were not events.
    pub malformed_lines: Vec<MalformedLine>,
    /// Events whose index was unknown (no `_index`, no `--index`, no `data_stream.*`):
    /// every rule evaluated them.
    pub events_with_unknown_index: u64,
    /// Per rule, in the engine's rule order.
    pub rules: Vec<RuleSummary>,
    /// Most events held at once for sequence rules (waiting for order, or in pending
    /// sequences).
    pub peak_held_events: u64,
    /// Things the user should know, one line each.
    pub warnings: Vec<String>,
    /// Rules of a type the engine does not run (`esql`, `machine_learning`,
    /// `threat_match`, ...), as `name (type)`: not run, never skipped in silence.
    pub unsupported_rules: Vec<String>,
}

/// What one rule did in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSummary {
    /// The rule's `rule_id`.
    pub rule_id: String,
    /// The rule's name.
    pub name: String,
    /// Events its query matched (for a sequence rule: events one of its terms or its
    /// `until` clause matched).
    pub matched: u64,
    /// Alerts it raised.
    pub alerts: u64,
    /// Matching events a `new_terms` rule skipped because they had no usable time (they
    /// cannot be placed in the history).
    pub skipped_without_time: u64,
    /// Matching events whose term combinations were cut at the per-event limit.
    pub truncated_terms: u64,
    /// For a sequence rule: sequences found, state dropped at the limits, late events.
    pub sequences: Option<SequenceCounts>,
    /// What the schedule replay did (executions, `max_signals` cuts, missed events); `None`
    /// without a schedule and for sequence rules.
    pub schedule: Option<ScheduleCounts>,
}

/// The alerts of a run, in event-time order, and its summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOutput {
    /// Alerts ordered by event time (events without a time last), then input order, then
    /// rule order.
    pub alerts: Vec<Alert>,
    /// What happened.
    pub summary: Summary,
}

/// An event some rule matched, kept until [`Engine::finish`].
#[derive(Debug)]
struct KeptEvent {
    source: CompactJson,
    /// The hit's `_id`.
    id: Option<String>,
    /// The event's line (see [`InputEvent::line`]).
    line: u64,
    index: Option<String>,
    /// Arrival order in the run.
    arrival: usize,
}

impl KeptEvent {
    /// Keeps `event` compactly.
    fn new(event: InputEvent, index: Option<String>, arrival: usize) -> Self {
        let InputEvent { source, id, line, .. } = event;
        Self { source: CompactJson::new(source), id, line, index, arrival }
    }

    /// The event's document, parsed again.
    fn document(&self) -> std::borrow::Cow<'_, Value> {
        self.source.document()
    }

    /// The event's id: the hit's `_id`, else its line number (see [`event_id`]).
    fn event_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| self.line.to_string())
    }

    /// The event as a sample rule searches it, at the rule's `time`.
    fn sample_event(&self, time: EventTime) -> SampleEvent {
        SampleEvent {
            time,
            source: self.source.clone(),
            index: self.index.clone(),
            id: self.id.clone(),
            line: self.line,
            arrival: self.arrival,
        }
    }
}

/// A rule's match: the kept event's position, and its time as the rule reads it with the
/// problems met reading it (reported in `finish`).
type Match = (usize, Option<EventTime>, Vec<(String, TimeError)>);

/// What a batch decided for one event: its arrival number, index and the rules using it.
struct Verdict {
    arrival: usize,
    index: Option<String>,
    rules: Vec<usize>,
}

/// Unreadable event times: the first few reported in detail, the rest counted.
pub(crate) struct TimeWarnings<'a> {
    warnings: &'a mut Vec<String>,
    count: &'a mut u64,
}

impl TimeWarnings<'_> {
    /// Notes the time problems of the event on `line`.
    pub(crate) fn note_time(&mut self, line: u64, problems: Vec<(String, TimeError)>) {
        for (field, problem) in problems {
            *self.count += 1;
            if *self.count <= MAX_WARNING_DETAILS as u64 {
                self.warnings.push(format!("line {line}: `{field}`: {problem}"));
            }
        }
    }

    /// Notes another problem, always reported.
    pub(crate) fn note_problem(&mut self, problem: String) {
        self.warnings.push(problem);
    }
}

/// Compiled rules and their state.
pub struct Engine {
    fields: FieldTable,
    rules: Vec<PreparedRule>,
    router: Router,
    vm: Vm,
    options: EngineOptions,
    kept: Vec<KeptEvent>,
    /// Per rule: the events it matched (positions in `kept`) and their times.
    matches: Vec<Vec<Match>>,
    summary: Summary,
    time_warnings: u64,
    batch: Vec<InputEvent>,
    sequences: SequenceRuns,
    /// Scratch buffers of `match_batch`, kept to avoid allocating per batch.
    candidates: Vec<usize>,
    buffers: ViewBuffers,
    verdicts: Vec<Option<Verdict>>,
    /// Rules not run, reported in every summary.
    unsupported_rules: Vec<String>,
}

impl Engine {
    /// An engine for `rules`, whose programs were compiled against `fields`.
    pub fn new(
        mut fields: FieldTable,
        rules: Vec<(Rule, CompiledQuery)>,
        options: EngineOptions,
    ) -> Result<Self, EngineError> {
        let mut prepared = Vec::with_capacity(rules.len());
        let mut unsupported_rules = Vec::new();
        for (rule, compiled) in rules {
            let name = rule.name.clone();
            match PreparedRule::new(rule, compiled, options.rule_parameters, &options.sequences) {
                Ok(rule) => prepared.push(rule),
                Err(EngineError::UnsupportedRuleType { rule_type, .. }) => {
                    unsupported_rules.push(format!("{name} ({rule_type})"));
                }
                Err(error) => return Err(error),
            }
        }
        let router = Router::new(&prepared, &mut fields, options.routing);
        let mut engine = Self {
            fields,
            matches: vec![Vec::new(); prepared.len()],
            rules: prepared,
            router,
            vm: Vm::new(),
            options,
            kept: Vec::new(),
            summary: Summary::default(),
            time_warnings: 0,
            batch: Vec::with_capacity(BATCH_SIZE),
            sequences: SequenceRuns::default(),
            candidates: Vec::new(),
            buffers: ViewBuffers::default(),
            verdicts: Vec::with_capacity(BATCH_SIZE),
            unsupported_rules: Vec::new(),
        };
        engine.unsupported_rules = unsupported_rules;
        engine.reset_summary();
        Ok(engine)
    }

    /// The rules, in engine order (the order of [`Summary::rules`] and [`Alert::rule`]).
    pub fn rules(&self) -> impl ExactSizeIterator<Item = &Rule> {
        self.rules.iter().map(|prepared| &prepared.rule)
    }

    /// The prepared rules and the sequence runs, for saving and restoring state
    /// (`persist.rs`).
    pub(crate) fn parts_mut(&mut self) -> (&mut [PreparedRule], &mut SequenceRuns) {
        (&mut self.rules, &mut self.sequences)
    }

    /// Reads every event (or malformed line) of `input`, then [`finish`](Self::finish)es.
    pub fn run<I>(&mut self, input: I) -> RunOutput
    where
        I: IntoIterator<Item = Result<InputEvent, MalformedLine>>,
    {
        for item in input {
            match item {
                Ok(event) => self.push(event),
                Err(malformed) => self.report_malformed(malformed),
            }
        }
        self.finish()
    }

    /// Adds one event.
    pub fn push(&mut self, event: InputEvent) {
        self.batch.push(event);
        if self.batch.len() >= BATCH_SIZE {
            self.match_batch();
        }
    }

    /// Records a line that could not be read.
    pub fn report_malformed(&mut self, malformed: MalformedLine) {
        self.summary.malformed_lines.push(malformed);
    }

    /// Turns the matches so far into alerts and returns them with the summary; the rules'
    /// state (`new_terms` history) is kept for the next events.
    pub fn finish(&mut self) -> RunOutput {
        self.match_batch();
        self.pump_sequences(true);
        let (mut alerts, peak_held) = self.sequences.take_alerts();
        self.summary.peak_held_events = peak_held as u64;
        for position in 0..self.rules.len() {
            let matched = std::mem::take(&mut self.matches[position]);
            self.summary.rules[position].matched += matched.len() as u64;
            self.raise_alerts(position, matched, &mut alerts);
            if let RuleBehaviour::Sequence(sequence) = &mut self.rules[position].behaviour {
                let counts = sequence.take_counts();
                self.summary.rules[position].alerts = alert_count(&alerts, position);
                sequence_warnings(
                    &self.summary.rules[position].name,
                    &counts,
                    &mut self.summary.warnings,
                );
                self.summary.rules[position].sequences = Some(counts);
            }
        }
        for rule in &self.summary.unsupported_rules {
            self.summary.warnings.push(format!("rule {rule} not run: its type is not supported"));
        }
        if self.summary.events_with_unknown_index > 0 {
            self.summary.warnings.push(format!(
                "{} event(s) had no known index (no `_index`, no --index, no data_stream.*): every rule evaluated them",
                self.summary.events_with_unknown_index
            ));
        }
        for rule in &self.summary.rules {
            if rule.skipped_without_time > 0 {
                self.summary.warnings.push(format!(
                    "rule `{}`: {} matching event(s) without a usable time were skipped (a rule execution searches a time range)",
                    rule.name, rule.skipped_without_time
                ));
            }
            if let Some(counts) = &rule.schedule {
                schedule_warnings(&rule.name, counts, &mut self.summary.warnings);
            }
            if rule.truncated_terms > 0 {
                self.summary.warnings.push(format!(
                    "rule `{}`: {} event(s) had more than {} term combinations; the rest were ignored",
                    rule.name,
                    rule.truncated_terms,
                    crate::new_terms::MAX_COMBINATIONS_PER_EVENT
                ));
            }
        }
        if self.time_warnings > MAX_WARNING_DETAILS as u64 {
            self.summary.warnings.push(format!(
                "... and {} more unreadable time value(s)",
                self.time_warnings - MAX_WARNING_DETAILS as u64
            ));
        }
        // Stable: a sequence's shell alert stays before its building blocks.
        alerts.sort_by_key(|(order, _)| *order);
        self.kept.clear();
        let summary = std::mem::take(&mut self.summary);
        self.reset_summary();
        RunOutput { alerts: alerts.into_iter().map(|(_, alert)| alert).collect(), summary }
    }

    /// Feeds the sequence rules what is ready (everything when `flush`).
    fn pump_sequences(&mut self, flush: bool) {
        let mut warnings =
            TimeWarnings { warnings: &mut self.summary.warnings, count: &mut self.time_warnings };
        self.sequences.pump(
            &mut self.rules,
            &self.fields,
            &mut self.vm,
            flush,
            &self.options,
            &mut warnings,
        );
    }

    fn reset_summary(&mut self) {
        self.time_warnings = 0;
        self.summary.unsupported_rules.clone_from(&self.unsupported_rules);
        self.summary.rules = self
            .rules
            .iter()
            .map(|rule| RuleSummary {
                rule_id: rule.alert.rule_id.clone(),
                name: rule.alert.name.clone(),
                ..RuleSummary::default()
            })
            .collect();
    }

    /// Runs the candidate rules' programs over the buffered events; keeps the matched ones
    /// and hands the events sequence rules use to them.
    fn match_batch(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let Self {
            fields,
            rules,
            router,
            vm,
            options,
            summary,
            batch,
            candidates,
            verdicts,
            buffers,
            ..
        } = self;
        let mut view: Option<EventView<'_>> = None;
        verdicts.clear();
        for event in batch.iter() {
            let arrival = usize::try_from(summary.events_read).unwrap_or(usize::MAX);
            summary.events_read += 1;
            let index = event_index(event, options.default_index.as_deref());
            if index.is_none() {
                summary.events_with_unknown_index += 1;
            }
            let mut current = match view.take() {
                Some(previous) => previous.recycle(fields, &event.source),
                None => EventView::with_buffers(fields, &event.source, std::mem::take(buffers)),
            };
            router.candidates(rules, &mut current, index.as_deref(), candidates);
            if candidates.is_empty() {
                view = Some(current);
                verdicts.push(None);
                continue;
            }
            let mut used = Vec::new();
            for &position in candidates.iter() {
                if rules[position].uses(vm, &mut current) {
                    used.push(position);
                }
            }
            view = Some(current);
            verdicts.push((!used.is_empty()).then_some(Verdict { arrival, index, rules: used }));
        }
        *buffers = view.map(EventView::into_buffers).unwrap_or_default();
        let mut any_sequence = false;
        for (event, verdict) in self.batch.drain(..).zip(self.verdicts.drain(..)) {
            let Some(Verdict { arrival, index, rules: used }) = verdict else { continue };
            let (sequence_rules, event_rules): (Vec<usize>, Vec<usize>) =
                used.into_iter().partition(|&rule| {
                    matches!(self.rules[rule].behaviour, RuleBehaviour::Sequence(_))
                });
            for &rule in &sequence_rules {
                self.summary.rules[rule].matched += 1;
            }
            let event = if sequence_rules.is_empty() {
                event
            } else {
                any_sequence = true;
                let for_sequences = if event_rules.is_empty() { None } else { Some(event.clone()) };
                let (held, kept) = match for_sequences {
                    Some(copy) => (copy, Some(event)),
                    None => (event, None),
                };
                self.sequences.hold(&mut self.rules, &sequence_rules, held, index.clone(), arrival);
                let Some(kept) = kept else { continue };
                kept
            };
            let position = self.kept.len();
            for rule in event_rules {
                let (time, problems) = self.rules[rule].event_time(&event.source);
                self.matches[rule].push((position, time, problems));
            }
            self.kept.push(KeptEvent::new(event, index, arrival));
        }
        if any_sequence {
            self.pump_sequences(false);
        }
    }

    /// Alerts of rule `position` for its matched events.
    fn raise_alerts(
        &mut self,
        position: usize,
        matched: Vec<Match>,
        alerts: &mut Vec<(AlertOrder, Alert)>,
    ) {
        let rule = &mut self.rules[position];
        let rule_summary = &mut self.summary.rules[position];
        let mut timed: Vec<(Option<EventTime>, usize)> = Vec::with_capacity(matched.len());
        let mut warnings =
            TimeWarnings { warnings: &mut self.summary.warnings, count: &mut self.time_warnings };
        for (kept_position, time, problems) in matched {
            warnings.note_time(self.kept[kept_position].line, problems);
            timed.push((time, kept_position));
        }
        if matches!(rule.behaviour, RuleBehaviour::Sequence(_)) {
            return;
        }
        let mut placed: Vec<(EventTime, usize)> = Vec::with_capacity(timed.len());
        let mut untimed = Vec::new();
        for (time, kept_position) in timed {
            match time {
                Some(time) => placed.push((time, kept_position)),
                None => untimed.push(kept_position),
            }
        }
        // Stable: events with the same time keep their input order.
        placed.sort_by_key(|&(time, _)| time);
        let event_times: Vec<EventTime> = placed.iter().map(|&(time, _)| time).collect();
        let schedule = if self.options.unscheduled {
            let span = event_times
                .first()
                .zip(event_times.last())
                .map(|(&first, &last)| (last.as_nanos().saturating_sub(first.as_nanos()), last));
            // Threshold and sample rules search whole windows: one execution at the last event
            // sees every event. The others alert per event, each at its own time (the replay
            // steps from one event to the next).
            let whole_windows =
                matches!(rule.behaviour, RuleBehaviour::Threshold(..) | RuleBehaviour::Sample(_));
            span.map(|(lookback, last)| {
                let interval = if whole_windows { lookback.saturating_add(1) } else { 1 };
                Schedule::new(interval, lookback, usize::MAX, Some(last))
            })
        } else {
            Some(Schedule::for_rule(&rule.rule, self.options.now))
        };
        if let Some(suppression) = &mut rule.suppression {
            suppression.start_run();
        }
        let mut emitter = Emitter {
            kept: &self.kept,
            rule: &rule.alert,
            suppression: rule.suppression.as_mut(),
            position,
            alerts,
            lost: 0,
        };
        let counts = match (&mut rule.behaviour, schedule) {
            (RuleBehaviour::Sequence(_), _) | (_, None) => ScheduleCounts::default(),
            (RuleBehaviour::EachMatch(_), Some(schedule)) => {
                schedule.replay(&event_times, |execution, candidates| {
                    let mut created = 0;
                    let mut used = Vec::with_capacity(candidates.len());
                    for &candidate in candidates {
                        let (time, kept_position) = placed[candidate];
                        let outcome = emitter.emit(
                            execution,
                            kept_position,
                            time,
                            None,
                            created < schedule.max_signals(),
                        );
                        if outcome != Emitted::OverTheCap {
                            used.push(candidate);
                        }
                        created += usize::from(outcome == Emitted::Created);
                    }
                    (created, used)
                })
            }
            (RuleBehaviour::Sample(sample), Some(schedule)) => {
                let events = placed
                    .iter()
                    .map(|&(time, kept_position)| self.kept[kept_position].sample_event(time))
                    .collect();
                let carry = !self.options.unscheduled;
                let run = sample.run(events, &schedule, carry, &self.fields, &mut self.vm);
                for found in run.alerts(position, emitter.rule) {
                    for (member, alert) in found.alerts.into_iter().enumerate() {
                        let order = (false, Some(found.time), found.arrival, position, member);
                        emitter.alerts.push((order, alert));
                    }
                }
                if run.evicted > 0 {
                    self.summary.warnings.push(format!(
                        "rule `{}`: {} sample key combination(s) dropped at the state limits (raise --max-sequence-keys)",
                        rule_summary.name, run.evicted
                    ));
                }
                run.counts
            }
            (RuleBehaviour::NewTerms(_, state), Some(schedule)) => {
                let mut counts = schedule.replay(&event_times, |execution, candidates| {
                    let mut created = 0;
                    for &candidate in candidates {
                        let (time, kept_position) = placed[candidate];
                        let seen = state.observe(
                            &emitter.kept[kept_position].document(),
                            time,
                            execution.at,
                        );
                        if seen.truncated {
                            rule_summary.truncated_terms += 1;
                        }
                        for term in &seen.new_terms {
                            let outcome = emitter.emit(
                                execution,
                                kept_position,
                                time,
                                Some(term),
                                created < schedule.max_signals(),
                            );
                            created += usize::from(outcome == Emitted::Created);
                        }
                    }
                    (created, candidates.to_vec())
                });
                counts.cut_by_max_signals += emitter.lost;
                counts
            }
            (RuleBehaviour::Threshold(_, state), Some(schedule)) => {
                // The matching events carried from the last run come first at equal times;
                // one read again (same `_index` and `_id`) is the same document.
                let carried = state.take_tail();
                let read_again: HashSet<DocKey<'_>> = placed
                    .iter()
                    .filter_map(|&(_, kept_position)| tail_key(&emitter.kept[kept_position]))
                    .collect();
                let documents: Vec<std::borrow::Cow<'_, Value>> = placed
                    .iter()
                    .map(|&(_, kept_position)| emitter.kept[kept_position].document())
                    .collect();
                let mut members: Vec<(EventTime, Option<DocKey<'_>>, &Value)> = carried
                    .iter()
                    .filter_map(|event| {
                        let key =
                            event.key.as_ref().map(|(index, id)| (index.as_deref(), id.as_str()));
                        (!key.is_some_and(|key| read_again.contains(&key))).then_some((
                            event.time,
                            key,
                            &event.document,
                        ))
                    })
                    .chain(placed.iter().zip(&documents).map(
                        |(&(time, kept_position), document)| {
                            let kept = &emitter.kept[kept_position];
                            (time, tail_key(kept), &**document)
                        },
                    ))
                    .collect();
                members.sort_by_key(|&(time, _, _)| time);
                let member_times: Vec<EventTime> =
                    members.iter().map(|&(time, _, _)| time).collect();
                let (windows, after_now) = schedule.windows(&member_times);
                let mut counts = ScheduleCounts { after_now, ..ScheduleCounts::default() };
                let mut last = state.last_execution();
                for (execution, range) in windows {
                    if state.ran_before(execution.at) {
                        continue;
                    }
                    last = Some(execution.at);
                    counts.executions += 1;
                    let buckets = state.evaluate(
                        members[range].iter().map(|&(time, _, document)| (time, document)),
                    );
                    let mut created = 0;
                    for bucket in &buckets {
                        if created >= schedule.max_signals() {
                            counts.cut_by_max_signals += 1;
                            continue;
                        }
                        state.record(bucket);
                        let document = state.bucket_document(bucket);
                        if emitter.emit_threshold(execution, &document, bucket, state.fields()) {
                            created += 1;
                        }
                    }
                    if created >= schedule.max_signals() && buckets.len() > created {
                        counts.executions_at_max_signals += 1;
                    }
                }
                if !self.options.unscheduled {
                    // What the next run's executions may still search: the last window on.
                    let keep_from = last.map(|at| schedule.execution(at).from);
                    let tail = members
                        .iter()
                        .filter(|&&(time, _, _)| keep_from.is_none_or(|from| time >= from))
                        .map(|&(time, key, document)| TailEvent {
                            time,
                            key: key.map(|(index, id)| (index.map(str::to_owned), id.to_owned())),
                            document: document.clone(),
                        })
                        .collect();
                    state.carry(last, tail);
                }
                counts
            }
        };
        rule_summary.alerts = emitter.created();
        if self.options.unscheduled {
            if let RuleBehaviour::EachMatch(_) = rule.behaviour {
                // The one execution of an unscheduled run is at its latest event.
                let run_at = event_times.last().copied();
                for kept_position in untimed {
                    let kept = &self.kept[kept_position];
                    let id = kept.event_id();
                    let document = kept.document();
                    let source = AlertSource {
                        document: &document,
                        index: kept.index.as_deref(),
                        id: &id,
                        time: None,
                    };
                    let order = (true, None, kept.arrival, position, 0);
                    let alert = build_alert(position, &rule.alert, source, None, run_at);
                    alerts.push((order, alert));
                    rule_summary.alerts += 1;
                }
            } else {
                rule_summary.skipped_without_time += untimed.len() as u64;
            }
        } else {
            rule_summary.skipped_without_time += untimed.len() as u64;
            rule_summary.schedule = Some(counts);
        }
    }
}

/// What [`Emitter::emit`] did with one candidate alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Emitted {
    /// A new alert.
    Created,
    /// Folded into a kept alert of its suppression group.
    Suppressed,
    /// Not created: the execution reached `max_signals`.
    OverTheCap,
}

/// Creates one rule's alerts during a schedule replay, applying alert suppression.
struct Emitter<'a> {
    kept: &'a [KeptEvent],
    rule: &'a AlertRule,
    suppression: Option<&'a mut SuppressionState>,
    position: usize,
    alerts: &'a mut Vec<(AlertOrder, Alert)>,
    /// New-terms alerts not created at the cap (their events are not searched again).
    lost: u64,
}

impl Emitter<'_> {
    /// Alerts created so far (suppressed ones not included).
    fn created(&self) -> u64 {
        self.alerts.iter().filter(|(_, alert)| alert.rule == self.position).count() as u64
    }

    /// Whether a new alert of `group` (for an event at `time`) is suppressed: folded into
    /// this run's kept alert of its group, or covered by an earlier run's.
    fn suppressed(
        &mut self,
        group: Option<&GroupKey>,
        execution: Execution,
        time: EventTime,
    ) -> bool {
        let (Some(group), Some(suppression)) = (group, &self.suppression) else { return false };
        match suppression.kept_alert(group, execution) {
            None => false,
            Some(KeptAlert::ThisRun(alert)) => {
                fold_into(&mut self.alerts[alert].1.document, Some(time));
                true
            }
            Some(KeptAlert::EarlierRun) => true,
        }
    }

    /// The alert for the kept event at `kept_position` (and `new_term`), unless suppressed
    /// or over the cap (`room` false).
    fn emit(
        &mut self,
        execution: Execution,
        kept_position: usize,
        time: EventTime,
        new_term: Option<&[String]>,
        room: bool,
    ) -> Emitted {
        let kept = &self.kept[kept_position];
        // Parsed only when read: most candidates over the cap are not.
        let mut document = None;
        let group = self
            .suppression
            .as_ref()
            .and_then(|s| s.group(document.get_or_insert_with(|| kept.document())));
        if self.suppressed(group.as_ref(), execution, time) {
            return Emitted::Suppressed;
        }
        if !room {
            if new_term.is_some() {
                self.lost += 1;
            }
            return Emitted::OverTheCap;
        }
        let id = kept.event_id();
        let document = document.unwrap_or_else(|| kept.document());
        let source = AlertSource {
            document: &document,
            index: kept.index.as_deref(),
            id: &id,
            time: Some(time),
        };
        let mut alert = build_alert(self.position, self.rule, source, new_term, Some(execution.at));
        if let (Some(group), Some(suppression)) = (group, self.suppression.as_deref_mut()) {
            suppression.keep(group, self.alerts.len(), &mut alert.document, Some(time), execution);
        }
        let order = (false, Some(time), kept.arrival, self.position, 0);
        self.alerts.push((order, alert));
        Emitted::Created
    }

    /// The alert of a threshold bucket; false when suppressed into a kept alert.
    /// `fields` are the rule's threshold fields.
    fn emit_threshold(
        &mut self,
        execution: Execution,
        document: &Value,
        bucket: &Bucket,
        fields: &[String],
    ) -> bool {
        let group = self.suppression.as_ref().and_then(|s| s.group(document));
        if self.suppressed(group.as_ref(), execution, bucket.to) {
            return false;
        }
        // Kibana's threshold alert has a synthetic parent: an id from the rule, the
        // execution and the group, in the rule's index patterns (`transformBucketIntoHit`).
        let id = threshold_parent_id(&self.rule.rule_id, execution.at, fields, &bucket.terms);
        let index = self.rule.input_index();
        let source = AlertSource { document, index: Some(&index), id: &id, time: Some(bucket.to) };
        let mut alert = build_alert(self.position, self.rule, source, None, Some(execution.at));
        if let (Some(group), Some(suppression)) = (group, self.suppression.as_deref_mut()) {
            suppression.keep(
                group,
                self.alerts.len(),
                &mut alert.document,
                Some(bucket.to),
                execution,
            );
        }
        let order = (false, Some(bucket.to), usize::MAX, self.position, 0);
        self.alerts.push((order, alert));
        true
    }
}

/// A document's identity in Elasticsearch: `(_index, _id)`.
type DocKey<'a> = (Option<&'a str>, &'a str);

/// The identity of a kept event in Elasticsearch (`_index`, `_id`); `None` without an `_id`
/// (a line number names no document across inputs).
fn tail_key(kept: &KeptEvent) -> Option<DocKey<'_>> {
    Some((kept.index.as_deref(), kept.id.as_deref()?))
}

/// Warnings about what the schedule left out.
fn schedule_warnings(name: &str, counts: &ScheduleCounts, warnings: &mut Vec<String>) {
    if counts.cut_by_max_signals > 0 {
        warnings.push(format!(
            "rule `{name}`: reached max_signals in {} execution(s); {} candidate alert(s) were cut (Kibana: the rule reached the maximum alert limit for the rule execution)",
            counts.executions_at_max_signals.max(1),
            counts.cut_by_max_signals
        ));
    }
    if counts.missed > 0 {
        warnings.push(format!(
            "rule `{name}`: {} matching event(s) left every execution window without an alert (max_signals, or a gap when `from` is shorter than `interval`)",
            counts.missed
        ));
    }
    if counts.after_now > 0 {
        warnings.push(format!(
            "rule `{name}`: {} matching event(s) are later than now; no execution searched them",
            counts.after_now
        ));
    }
}

/// Alerts of rule `position` in `alerts`.
fn alert_count(alerts: &[(AlertOrder, Alert)], position: usize) -> u64 {
    alerts.iter().filter(|(_, alert)| alert.rule == position).count() as u64
}

/// Warnings about what a sequence rule dropped or may have got wrong.
fn sequence_warnings(name: &str, counts: &SequenceCounts, warnings: &mut Vec<String>) {
    if counts.matcher.evicted > 0 {
        warnings.push(format!(
            "rule `{name}`: {} pending sequence(s) dropped at the state limits (raise --max-pending-sequences / --max-sequence-keys)",
            counts.matcher.evicted
        ));
    }
    if counts.late_events > 0 {
        warnings.push(format!(
            "rule `{name}`: {} event(s) arrived after later ones beyond the reorder window and were matched out of time order (sort the input by @timestamp, or raise --reorder-window)",
            counts.late_events
        ));
    }
    if counts.outside_windows > 0 {
        warnings.push(format!(
            "rule `{name}`: {} sequence(s) were not alerted: no execution's window (`from` look-back) holds all their events",
            counts.outside_windows
        ));
    }
    if counts.without_timestamp > 0 {
        warnings.push(format!(
            "rule `{name}`: {} event(s) without a usable @timestamp were left out of its sequences (EQL searches only timestamped events)",
            counts.without_timestamp
        ));
    }
}

/// The event's index: the hit's `_index`, else `default` (`--index`), else
/// `<data_stream.type>-<data_stream.dataset>-<data_stream.namespace>` (the data stream naming
/// scheme, Elastic "Data streams" / Fleet docs).
pub fn event_index(event: &InputEvent, default: Option<&str>) -> Option<String> {
    if let Some(index) = &event.index {
        return Some(index.clone());
    }
    if let Some(index) = default {
        return Some(index.to_owned());
    }
    let part = |name: &str| match first_value(&event.source, name) {
        Some(Value::String(text)) if !text.is_empty() => Some(text.as_str()),
        _ => None,
    };
    let (kind, dataset, namespace) =
        (part("data_stream.type")?, part("data_stream.dataset")?, part("data_stream.namespace")?);
    Some(format!("{kind}-{dataset}-{namespace}"))
}

/// The event's id: the hit's `_id`, else its line number.
pub fn event_id(event: &InputEvent) -> String {
    event.id.clone().unwrap_or_else(|| event.line.to_string())
}
