//! Alert suppression (`[rule.alert_suppression]`): alerts of one group are folded into one.
//!
//! Kibana's semantics ("Suppress detection alerts" docs; `security_solution/server/lib/
//! detection_engine/rule_types/utils/wrap_suppressed_alerts.ts`,
//! `bulk_create_with_suppression.ts`, `utils/suppression_utils.ts`):
//!
//! * the group is the values of `group_by` (1 to 3 fields) in the alert's source event;
//! * without `duration`, alerts are suppressed per rule execution: the first alert of a group
//!   in an execution is kept, the others of that execution folded into it;
//! * with `duration`, a new alert folds into the group's kept alert while that alert was
//!   created (`kibana.alert.start`, here its execution time) no earlier than
//!   `now - duration`; after that a new alert starts a new window;
//! * `missing_fields_strategy`: `suppress` (the default) groups events missing a field
//!   together (the value is `null`); `doNotSuppress` gives every event missing a group-by
//!   field its own alert, unsuppressed;
//! * the kept alert carries `kibana.alert.suppression.terms` (`[{field, value}]`, value the
//!   field's values or `null`), `.start` and `.end` (earliest and latest suppressed event
//!   time), `.docs_count` (alerts folded into it) and `kibana.alert.instance.id` (a hash of
//!   the group).
//!
//! The windows outlive a run (the same engine's next `finish`, or the next `warden run
//! --state`): in Kibana the kept alert stays in the alerts index and later executions fold
//! into it. Here the kept alert of an earlier run was already written out, so a later alert
//! of its open window is suppressed (not written) instead of updating it.

use std::collections::HashMap;

use rule_model::AlertSuppression;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::alert_ids::sha256_hex;
use crate::fields::{field_values, scalar_text};
use crate::schedule::Execution;
use crate::timestamp::EventTime;

/// A group: per `group_by` field, its values (`None`: missing).
pub type GroupKey = Vec<Option<Vec<String>>>;

/// One rule's suppression settings and its kept alerts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressionState {
    group_by: Vec<String>,
    /// Window in nanoseconds; `None`: per execution.
    duration: Option<i64>,
    suppress_missing: bool,
    /// Per group: the kept alert (its position in this run's alert list; `None`: an alert of
    /// an earlier run) and the execution that created it.
    kept: HashMap<GroupKey, (Option<usize>, EventTime)>,
}

/// Where a new alert of a suppressed group goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeptAlert {
    /// Folded into this run's alert at this position of the run's alert list.
    ThisRun(usize),
    /// Suppressed by an alert an earlier run already reported.
    EarlierRun,
}

/// Saved suppression windows: per group, the execution time (nanoseconds since the epoch)
/// that created its kept alert, sorted by group so the same state saves the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSuppression {
    /// The `group_by` fields, so windows are never read for other fields.
    pub group_by: Vec<String>,
    /// `(group, creation execution)`.
    pub windows: Vec<(GroupKey, i64)>,
}

/// A suppression setting that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SuppressionConfigError {
    /// `group_by` must name 1 to 3 fields.
    #[error("alert_suppression.group_by must name 1 to 3 fields, found {0}")]
    FieldCount(usize),
    /// Unknown strategy.
    #[error(
        "alert_suppression.missing_fields_strategy `{0}` is unknown (expected `suppress` or `doNotSuppress`)"
    )]
    Strategy(String),
}

impl SuppressionState {
    /// The state for a rule's `[rule.alert_suppression]`; `group_by` may be replaced (a
    /// threshold rule suppresses by its threshold fields).
    pub fn new(
        settings: &AlertSuppression,
        group_by: Option<&[String]>,
    ) -> Result<Self, SuppressionConfigError> {
        let group_by = group_by.map_or_else(|| settings.group_by.clone(), <[String]>::to_vec);
        if group_by.len() > 3 || (group_by.is_empty() && settings.group_by.is_empty()) {
            return Err(SuppressionConfigError::FieldCount(group_by.len()));
        }
        let suppress_missing = match settings.missing_fields_strategy.as_deref() {
            None | Some("suppress") => true,
            Some("doNotSuppress") => false,
            Some(other) => return Err(SuppressionConfigError::Strategy(other.to_owned())),
        };
        let duration = settings.duration.map(|span| {
            i64::try_from(span.amount.saturating_mul(span.unit.seconds()))
                .unwrap_or(i64::MAX)
                .saturating_mul(1_000_000_000)
        });
        Ok(Self { group_by, duration, suppress_missing, kept: HashMap::new() })
    }

    /// The group of `document`; `None` when it is not suppressed (`doNotSuppress` and a
    /// missing field).
    pub fn group(&self, document: &Value) -> Option<GroupKey> {
        let key: GroupKey = self
            .group_by
            .iter()
            .map(|field| {
                let values: Vec<String> =
                    field_values(document, field).into_iter().filter_map(scalar_text).collect();
                (!values.is_empty()).then_some(values)
            })
            .collect();
        if !self.suppress_missing && key.iter().any(Option::is_none) {
            return None;
        }
        Some(key)
    }

    /// The kept alert a new alert of `group` folds into during `execution`, if any.
    pub fn kept_alert(&self, group: &GroupKey, execution: Execution) -> Option<KeptAlert> {
        let &(alert, created) = self.kept.get(group)?;
        window_open(self.duration, created, execution.at)
            .then_some(alert.map_or(KeptAlert::EarlierRun, KeptAlert::ThisRun))
    }

    /// Starts a new run: the kept alerts now belong to an earlier run; windows that no later
    /// execution can reach (older than the latest one's) are forgotten.
    pub fn start_run(&mut self) {
        let Some(latest) = self.kept.values().map(|&(_, created)| created).max() else {
            return;
        };
        let duration = self.duration;
        self.kept.retain(|_, (alert, created)| {
            *alert = None;
            window_open(duration, *created, latest)
        });
    }

    /// The windows to save (as of the start of the next run, see [`start_run`](Self::start_run)).
    pub fn save(&self) -> SavedSuppression {
        let mut copy = self.clone();
        copy.start_run();
        let mut windows: Vec<(GroupKey, i64)> = copy
            .kept
            .into_iter()
            .map(|(group, (_, created))| (group, created.as_nanos()))
            .collect();
        windows.sort_unstable();
        SavedSuppression { group_by: self.group_by.clone(), windows }
    }

    /// Goes on from saved windows; refuses ones saved for other fields.
    pub fn restore(&mut self, saved: SavedSuppression) -> Result<(), String> {
        if saved.group_by != self.group_by {
            return Err(format!(
                "the saved suppression windows are for the fields {:?}, the rule has {:?}",
                saved.group_by, self.group_by
            ));
        }
        if let Some((group, _)) = saved.windows.iter().find(|(g, _)| g.len() != self.group_by.len())
        {
            return Err(format!("the saved group {group:?} does not have one value per field"));
        }
        self.kept = saved
            .windows
            .into_iter()
            .map(|(group, nanos)| (group, (None, EventTime::from_nanos(nanos))))
            .collect();
        Ok(())
    }

    /// Marks `alert` (a new alert of `group` at `time`) as the group's kept alert.
    pub fn keep(
        &mut self,
        group: GroupKey,
        alert: usize,
        document: &mut Value,
        time: Option<EventTime>,
        execution: Execution,
    ) {
        if let Value::Object(fields) = document {
            let terms: Vec<Value> = self
                .group_by
                .iter()
                .zip(&group)
                .map(|(field, values)| json!({"field": field, "value": values}))
                .collect();
            let stamp = json!(time.unwrap_or(execution.at).to_iso_millis());
            fields.insert("kibana.alert.instance.id".to_owned(), json!(instance_id(&group)));
            fields.insert("kibana.alert.suppression.terms".to_owned(), Value::Array(terms));
            fields.insert("kibana.alert.suppression.start".to_owned(), stamp.clone());
            fields.insert("kibana.alert.suppression.end".to_owned(), stamp);
            fields.insert("kibana.alert.suppression.docs_count".to_owned(), json!(0));
        }
        self.kept.insert(group, (Some(alert), execution.at));
    }
}

/// Folds an alert for an event at `time` into the kept alert `document`.
pub fn fold_into(document: &mut Value, time: Option<EventTime>) {
    let Value::Object(fields) = document else { return };
    let count =
        fields.get("kibana.alert.suppression.docs_count").and_then(Value::as_u64).unwrap_or(0);
    fields.insert("kibana.alert.suppression.docs_count".to_owned(), json!(count + 1));
    let Some(time) = time else { return };
    let read = |fields: &serde_json::Map<String, Value>, key: &str| {
        fields.get(key).and_then(Value::as_str).and_then(|text| EventTime::parse(text).ok())
    };
    if read(fields, "kibana.alert.suppression.start").is_none_or(|start| time < start) {
        fields.insert("kibana.alert.suppression.start".to_owned(), json!(time.to_iso_millis()));
    }
    if read(fields, "kibana.alert.suppression.end").is_none_or(|end| time > end) {
        fields.insert("kibana.alert.suppression.end".to_owned(), json!(time.to_iso_millis()));
    }
}

/// Whether a window created at `created` is open for an execution at `at`: the same
/// execution without a duration, else created no earlier than `at - duration`.
fn window_open(duration: Option<i64>, created: EventTime, at: EventTime) -> bool {
    match duration {
        None => created == at,
        Some(duration) => created.as_nanos() >= at.as_nanos().saturating_sub(duration),
    }
}

/// A stable id of a group.
fn instance_id(group: &GroupKey) -> String {
    sha256_hex(json!(group).to_string().as_bytes())
}
