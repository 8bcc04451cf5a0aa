//! Running the engine's sequence rules: holding the events they use, feeding each rule's state
//! machine in search order, and turning completed sequences into alerts as they complete.
//!
//! Inside Kibana's schedule (see `schedule.rs`) each execution runs the EQL sequence search
//! over its own window `[now - from, now]` (`eql/create_eql_alert_type.ts` and
//! `build_eql_search_request.ts` in `security_solution/server/lib/detection_engine/
//! rule_types/`), so a sequence is found only when one window holds all its events: one
//! wider than the look-back is never found. The state machine here runs once over the
//! stream, and a completed sequence alerts only when an execution's window covers it;
//! a sequence found by several overlapping executions has the same alert ids, which
//! Kibana writes once, so alerting once is the same. (A window search may also pair events
//! the stream's newest-pending rule replaced; that difference is not modelled.)

use event_input::InputEvent;
use rule_sequence::{EventRef, SequenceMatch};
use rule_vm::{EventView, FieldTable, Vm};

use crate::alert::{Alert, AlertSource};
use crate::engine::{AlertOrder, EngineOptions, TimeWarnings};
use crate::held_events::{HeldEvent, HeldEvents};
use crate::rule::{PreparedRule, RuleBehaviour, rule_time};
use crate::schedule::Schedule;
use crate::sequence_alert::build_sequence_alerts;

/// The events sequence rules hold and the alerts of the sequences found so far.
#[derive(Debug, Default)]
pub(crate) struct SequenceRuns {
    held: HeldEvents,
    alerts: Vec<(AlertOrder, Alert)>,
    referenced: Vec<EventRef>,
    /// Whether held events go on into the next run (state kept with `--state`).
    continuing: bool,
}

impl SequenceRuns {
    /// Queues `event` (arrival `arrival`, from `index`) for the sequence rules at `users`;
    /// true if at least one of them took it (it had a usable timestamp).
    pub(crate) fn hold(
        &mut self,
        rules: &mut [PreparedRule],
        users: &[usize],
        event: InputEvent,
        index: Option<String>,
        arrival: usize,
    ) -> bool {
        let mut taken = false;
        for &position in users {
            if let RuleBehaviour::Sequence(sequence) = &mut rules[position].behaviour {
                taken |= sequence.offer(&event.source, arrival);
            }
        }
        if taken {
            self.held.insert(arrival, HeldEvent::new(event, index));
        }
        taken
    }

    /// Feeds every rule the events that are ready (all of them when `flush`, which also ends
    /// the rules' runs), raising alerts for completed sequences; forgets unneeded events.
    pub(crate) fn pump(
        &mut self,
        rules: &mut [PreparedRule],
        fields: &FieldTable,
        vm: &mut Vm,
        flush: bool,
        options: &EngineOptions,
        warnings: &mut TimeWarnings<'_>,
    ) {
        for (position, rule) in rules.iter_mut().enumerate() {
            let schedule =
                (!options.unscheduled).then(|| Schedule::for_rule(&rule.rule, options.now));
            let PreparedRule { behaviour, alert, timestamp_override, .. } = rule;
            let RuleBehaviour::Sequence(sequence) = behaviour else { continue };
            let mut found = Vec::new();
            while let Some(key) = sequence.next_ready(flush) {
                let Some(held) = self.held.get(key.arrival()) else { continue };
                let document = held.source.document();
                let mut view = EventView::new(fields, &document);
                found.extend(sequence.feed(key, &mut view, vm));
            }
            if flush {
                match sequence.finish() {
                    Ok(last) => found.extend(last),
                    Err(error) => warnings.note_problem(format!("rule `{}`: {error}", alert.name)),
                }
            }
            let context = AlertContext {
                position,
                timestamp_override: timestamp_override.as_deref(),
                schedule,
            };
            for sequence_match in found {
                if !self.raise(&context, alert, &sequence_match, warnings) {
                    sequence.note_outside_windows();
                }
            }
        }
        if flush || self.held.wants_sweep() {
            self.referenced.clear();
            for rule in rules.iter() {
                if let RuleBehaviour::Sequence(sequence) = &rule.behaviour {
                    sequence.referenced_events(&mut self.referenced);
                }
            }
            self.held.sweep(&mut self.referenced);
        }
    }

    /// The alerts raised so far, and the most events held at once; ready for the next run
    /// (which keeps the events pending sequences hold when continuing).
    pub(crate) fn take_alerts(&mut self) -> (Vec<(AlertOrder, Alert)>, usize) {
        let peak = if self.continuing { self.held.take_peak() } else { self.held.clear() };
        (std::mem::take(&mut self.alerts), peak)
    }

    /// Keeps held events from one run to the next (see `persist.rs`).
    pub(crate) fn set_continuing(&mut self) {
        self.continuing = true;
    }

    /// The held events (after a run: exactly those the continuing rules still reference).
    pub(crate) fn held(&self) -> &HeldEvents {
        &self.held
    }

    /// Holds a saved event again under `arrival`.
    pub(crate) fn restore_held(&mut self, arrival: usize, held: HeldEvent) {
        self.held.insert(arrival, held);
    }

    /// Raises the alerts of a completed sequence; false when no execution's window holds
    /// all its events (no alert).
    fn raise(
        &mut self,
        context: &AlertContext<'_>,
        rule: &crate::alert::AlertRule,
        sequence_match: &SequenceMatch,
        warnings: &mut TimeWarnings<'_>,
    ) -> bool {
        let members: Vec<(usize, &HeldEvent)> = sequence_match
            .events
            .iter()
            .flatten()
            .filter_map(|&EventRef(arrival)| Some((arrival, self.held.get(arrival)?)))
            .collect();
        let ids: Vec<String> = members.iter().map(|(_, held)| held.event_id()).collect();
        let documents: Vec<_> = members.iter().map(|(_, held)| held.source.document()).collect();
        let mut sources = Vec::with_capacity(members.len());
        for (((_, held), id), document) in members.iter().zip(&ids).zip(&documents) {
            let (time, problems) = rule_time(context.timestamp_override, document);
            warnings.note_time(held.line, problems);
            sources.push(AlertSource { document, index: held.index.as_deref(), id, time });
        }
        let Some(last) = sources.last() else { return true };
        let time = last.time;
        let first = sources.iter().filter_map(|source| source.time).min();
        let latest = sources.iter().filter_map(|source| source.time).max();
        if let (Some(schedule), Some(first), Some(latest)) = (context.schedule, first, latest)
            && !schedule.covers_span(first, latest)
        {
            return false;
        }
        // The first execution at or after the latest event is the one whose window holds
        // them all (checked above); without a schedule, the latest event's time.
        let executed_at = match (context.schedule, latest) {
            (Some(schedule), Some(latest)) => {
                schedule.first_at_or_after(latest).map(|execution| execution.at)
            }
            (None, latest) => latest,
            (Some(_), None) => None,
        };
        let last_arrival = members.last().map_or(0, |&(arrival, _)| arrival);
        let alerts = build_sequence_alerts(context.position, rule, &sources, time, executed_at);
        for (member, alert) in alerts.into_iter().enumerate() {
            let order = (time.is_none(), time, last_arrival, context.position, member);
            self.alerts.push((order, alert));
        }
        true
    }
}

/// Which rule raises the alerts and how it reads event times.
struct AlertContext<'a> {
    position: usize,
    timestamp_override: Option<&'a str>,
    /// The rule's schedule; `None`: every sequence alerts.
    schedule: Option<Schedule>,
}
