//! Detection state across runs (`warden run --state DIR`): the glue between the engine and
//! the [`rule_state`] store.
//!
//! [`Engine::with_state`] loads each rule's saved state (a `new_terms` history; a sequence
//! rule's pending sequences and the events they hold; a threshold or sample rule's last
//! execution and the events its next execution may still search, plus a threshold rule's
//! signal history and the samples a sample rule's last execution found; alert suppression
//! windows) and makes sequence rules *continue*: the end of a run no longer ends their
//! pending sequences and missing-event checks, so a run
//! over the first half of a stream followed by a run over the second half finds what one run
//! over the whole stream finds. A rule whose query or settings changed ([`rule_fingerprint`])
//! starts fresh, with a warning.
//!
//! # Why nothing reported is lost
//!
//! [`PersistentEngine::run`] commits, in one transaction, the rules' state after the run, the
//! uuids of its alerts (the `alerted` set: alerts already reported are left out, so a rerun
//! over the same events reports nothing twice; uuids are deterministic, see `alert.rs`) and
//! the alerts themselves as *undelivered*; only then does it hand the alerts to the caller.
//! The caller writes them out, flushes, and calls [`PersistentEngine::mark_delivered`].
//!
//! * Killed before the commit: nothing was reported, and the state is that of the previous
//!   run, so rerunning the same input reports everything.
//! * Killed after the commit, before or while printing: the alerts are in the state as
//!   undelivered; the next run hands them out first ([`PersistentEngine::take_undelivered`]).
//! * Killed after printing, before `mark_delivered`: the next run prints them again (the same
//!   uuids: at least once, never lost).
//!
//! So every reported alert's state is committed before the alert is reported, and every
//! alert whose state was committed is reported, at the latest by the next run.

use event_input::{InputEvent, MalformedLine};
use rule_model::Rule;
use rule_sequence::{EventRef, MatcherState};
use rule_state::{RuleTable, StateError, StateStore};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::alert::Alert;
use crate::alert_ids::sha256_hex;
use crate::engine::{Engine, RunOutput};
use crate::held_events::{HeldEvent, HeldEvents};
use crate::rule::{PreparedRule, RuleBehaviour};
use crate::timestamp::EventTime;

/// Arrival numbers of events restored from the state start here, far above the arrival
/// numbers a run gives its own events (which start at 0), so the two never meet.
const RESTORED_ARRIVAL_BASE: usize = usize::MAX / 2;

/// A sequence rule's saved state: its matcher, and the events it refers to (the matcher's
/// event handles are positions in `events`).
#[derive(Debug, Serialize, Deserialize)]
struct SavedSequences {
    matcher: MatcherState,
    events: Vec<SavedEvent>,
}

/// An event a pending sequence holds.
#[derive(Debug, Serialize, Deserialize)]
struct SavedEvent {
    source: Value,
    /// The hit's `_index`.
    hit_index: Option<String>,
    /// The hit's `_id`.
    id: Option<String>,
    line: u64,
    /// The index the engine resolved for it.
    index: Option<String>,
}

/// An alert committed but maybe not yet written out.
#[derive(Debug, Serialize, Deserialize)]
struct SavedAlert {
    rule_id: String,
    uuid: String,
    time_nanos: Option<i64>,
    document: Value,
}

/// An engine whose state lives in a [`StateStore`]; see the module doc.
pub struct PersistentEngine {
    engine: Engine,
    store: StateStore,
    /// Said at load, reported with the next run's summary.
    warnings: Vec<String>,
    undelivered: Vec<Alert>,
}

impl Engine {
    /// Loads the rules' saved state from `store` and keeps it there after each
    /// [`PersistentEngine::run`].
    pub fn with_state(mut self, store: StateStore) -> Result<PersistentEngine, StateError> {
        let reader = store.read()?;
        let mut warnings = Vec::new();
        let mut next_arrival = RESTORED_ARRIVAL_BASE;
        let (rules, sequences) = self.parts_mut();
        sequences.set_continuing();
        for rule in rules.iter_mut() {
            if let RuleBehaviour::Sequence(sequence) = &mut rule.behaviour {
                sequence.set_continuing();
            }
            let rule_id = rule.alert.rule_id.clone();
            match reader.fingerprint(&rule_id)? {
                None => continue,
                Some(saved) if saved != rule_fingerprint(&rule.rule) => {
                    warnings.push(format!(
                        "rule `{}`: its query or settings changed since the state was saved; its state starts fresh",
                        rule.alert.name
                    ));
                    continue;
                }
                Some(_) => {}
            }
            let bad = |table: RuleTable, problem: String| StateError::BadRecord {
                path: store.path().to_owned(),
                table: table.name(),
                key: rule_id.clone(),
                problem,
            };
            match &mut rule.behaviour {
                RuleBehaviour::NewTerms(_, state) => {
                    if let Some(history) = reader.get(RuleTable::NewTerms, &rule_id)? {
                        state
                            .restore_history(history)
                            .map_err(|problem| bad(RuleTable::NewTerms, problem))?;
                    }
                }
                RuleBehaviour::Sequence(sequence) => {
                    let Some(saved) =
                        reader.get::<SavedSequences>(RuleTable::Sequences, &rule_id)?
                    else {
                        continue;
                    };
                    let base = next_arrival;
                    next_arrival = next_arrival.saturating_add(saved.events.len());
                    let mut matcher = saved.matcher;
                    let count = saved.events.len();
                    if matcher.events().iter().any(|&EventRef(n)| n >= count) {
                        return Err(bad(
                            RuleTable::Sequences,
                            "a sequence refers to no saved event".into(),
                        ));
                    }
                    matcher.map_events(|EventRef(n)| EventRef(base + n));
                    sequence
                        .restore(matcher)
                        .map_err(|error| bad(RuleTable::Sequences, error.to_string()))?;
                    for (offset, event) in saved.events.into_iter().enumerate() {
                        sequences.restore_held(base + offset, event.into_held());
                    }
                }
                RuleBehaviour::Sample(sample) => {
                    if let Some(saved) = reader.get(RuleTable::Sequences, &rule_id)? {
                        sample.restore(saved);
                    }
                }
                RuleBehaviour::Threshold(_, state) => {
                    if let Some(saved) = reader.get(RuleTable::Threshold, &rule_id)? {
                        state
                            .restore(saved)
                            .map_err(|problem| bad(RuleTable::Threshold, problem))?;
                    }
                }
                RuleBehaviour::EachMatch(_) => {}
            }
            if let Some(suppression) = &mut rule.suppression
                && let Some(saved) = reader.get(RuleTable::Suppression, &rule_id)?
            {
                suppression
                    .restore(saved)
                    .map_err(|problem| bad(RuleTable::Suppression, problem))?;
            }
        }
        let saved_alerts: Vec<SavedAlert> = reader.undelivered()?;
        drop(reader);
        let undelivered = self.restore_alerts(saved_alerts, &mut warnings);
        Ok(PersistentEngine { engine: self, store, warnings, undelivered })
    }

    /// The undelivered alerts of rules this engine runs (others are reported in `warnings`).
    fn restore_alerts(&mut self, saved: Vec<SavedAlert>, warnings: &mut Vec<String>) -> Vec<Alert> {
        let mut alerts = Vec::with_capacity(saved.len());
        let mut orphans = 0usize;
        for alert in saved {
            let Some(rule) = self.rules().position(|rule| rule.rule_id == alert.rule_id) else {
                orphans += 1;
                continue;
            };
            alerts.push(Alert {
                rule,
                uuid: alert.uuid,
                time: alert.time_nanos.map(EventTime::from_nanos),
                document: alert.document,
            });
        }
        if orphans > 0 {
            warnings.push(format!(
                "{orphans} alert(s) of an interrupted run belong to rules not loaded now and were not printed; run with those rules to print them"
            ));
        }
        alerts
    }
}

impl PersistentEngine {
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Alerts committed by an earlier run that was stopped before it marked them delivered:
    /// write them out before this run's.
    pub fn take_undelivered(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.undelivered)
    }

    /// Runs the engine over `input` and commits the state (see the module doc); the alerts
    /// returned leave out those reported by earlier runs.
    pub fn run<I>(&mut self, input: I) -> Result<RunOutput, StateError>
    where
        I: IntoIterator<Item = Result<InputEvent, MalformedLine>>,
    {
        let mut output = self.engine.run(input);
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.append(&mut output.summary.warnings);
        output.summary.warnings = warnings;
        self.commit(&mut output)?;
        Ok(output)
    }

    /// Records that the alerts of the last run were written out.
    pub fn mark_delivered(&mut self) -> Result<(), StateError> {
        let writer = self.store.write()?;
        writer.set_undelivered::<SavedAlert>(&[])?;
        writer.commit()
    }

    /// Leaves out repeated alerts and commits the state, the alerted set and the alerts.
    fn commit(&mut self, output: &mut RunOutput) -> Result<(), StateError> {
        let writer = self.store.write()?;
        let (rules, sequences) = self.engine.parts_mut();
        let mut repeated = 0u64;
        let mut fresh = Vec::with_capacity(output.alerts.len());
        for alert in output.alerts.drain(..) {
            if writer.record_alert(&alert.uuid, &rules[alert.rule].alert.rule_id)? {
                fresh.push(alert);
            } else {
                repeated += 1;
                let count = &mut output.summary.rules[alert.rule].alerts;
                *count = count.saturating_sub(1);
            }
        }
        if repeated > 0 {
            output.summary.warnings.push(format!(
                "{repeated} alert(s) were already reported by an earlier run (same uuid) and were left out"
            ));
        }
        output.alerts = fresh;
        for rule in rules.iter() {
            save_rule(&writer, rule, sequences.held())?;
        }
        let saved: Vec<SavedAlert> = output
            .alerts
            .iter()
            .map(|alert| SavedAlert {
                rule_id: rules[alert.rule].alert.rule_id.clone(),
                uuid: alert.uuid.clone(),
                time_nanos: alert.time.map(EventTime::as_nanos),
                document: alert.document.clone(),
            })
            .collect();
        writer.set_undelivered(&saved)?;
        writer.commit()
    }
}

/// Writes one rule's fingerprint and state.
fn save_rule(
    writer: &rule_state::StateWriter<'_>,
    rule: &PreparedRule,
    held: &HeldEvents,
) -> Result<(), StateError> {
    let rule_id = &rule.alert.rule_id;
    writer.set_fingerprint(rule_id, &rule_fingerprint(&rule.rule))?;
    match &rule.behaviour {
        RuleBehaviour::NewTerms(_, state) => {
            writer.put(RuleTable::NewTerms, rule_id, &state.history())?;
        }
        RuleBehaviour::Sequence(sequence) => {
            let mut matcher = sequence.save();
            let mut referenced = matcher.events();
            referenced.sort_unstable();
            referenced.dedup();
            let mut events = Vec::with_capacity(referenced.len());
            let mut positions = std::collections::HashMap::with_capacity(referenced.len());
            for &EventRef(arrival) in &referenced {
                if let Some(event) = held.get(arrival) {
                    positions.insert(arrival, events.len());
                    events.push(SavedEvent::from_held(event));
                }
            }
            // A handle without its event (none is expected) points past the saved events,
            // which restoring refuses rather than guess.
            matcher.map_events(|EventRef(arrival)| {
                EventRef(positions.get(&arrival).copied().unwrap_or(usize::MAX))
            });
            writer.put(RuleTable::Sequences, rule_id, &SavedSequences { matcher, events })?;
        }
        RuleBehaviour::Sample(sample) => {
            // A sample rule's record shares the table of EQL rules' state; the fingerprint
            // (its query) keeps it from being read as a sequence's.
            writer.put(RuleTable::Sequences, rule_id, &sample.save())?;
        }
        RuleBehaviour::Threshold(_, state) => {
            writer.put(RuleTable::Threshold, rule_id, &state.save())?;
        }
        RuleBehaviour::EachMatch(_) => {}
    }
    if let Some(suppression) = &rule.suppression {
        writer.put(RuleTable::Suppression, rule_id, &suppression.save())?;
    }
    Ok(())
}

impl SavedEvent {
    fn from_held(held: &HeldEvent) -> Self {
        Self {
            source: held.source.document().into_owned(),
            hit_index: held.hit_index.clone(),
            id: held.id.clone(),
            line: held.line,
            index: held.index.clone(),
        }
    }

    fn into_held(self) -> HeldEvent {
        HeldEvent::new(
            InputEvent { source: self.source, index: self.hit_index, id: self.id, line: self.line },
            self.index,
        )
    }
}

/// A digest of what decides a rule's state: its type, language, query and the settings its
/// state depends on. A saved state is only used for a rule with the same fingerprint.
pub fn rule_fingerprint(rule: &Rule) -> String {
    let new_terms = rule
        .new_terms
        .as_ref()
        .map(|settings| json!([settings.fields, settings.history_window_start]));
    let threshold = rule.threshold.as_ref().map(|threshold| {
        let cardinality: Vec<Value> =
            threshold.cardinality.iter().map(|c| json!([c.field, c.value])).collect();
        json!([threshold.fields, threshold.value, cardinality])
    });
    let suppression = rule.alert_suppression.as_ref().map(|settings| {
        let duration =
            settings.duration.map(|span| span.amount.saturating_mul(span.unit.seconds()));
        json!([settings.group_by, duration, settings.missing_fields_strategy])
    });
    let key = json!([
        rule.rule_type.to_string(),
        rule.language.map(|language| language.to_string()),
        rule.query_text(),
        rule.index,
        rule.timestamp_override,
        rule.tiebreaker_field,
        rule.event_category_override,
        new_terms,
        threshold,
        suppression,
    ]);
    sha256_hex(key.to_string().as_bytes())
}
