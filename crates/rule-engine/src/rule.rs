//! A rule as the engine runs it: its program, gates (event category, index patterns), time
//! field, rule-type state and the fields its alerts carry.

use std::sync::Arc;

use rule_model::{Language, Rule, RuleType};
use rule_sequence::{EqlPlan, Pipe, SamplePlan, SequencePlan, Stage};
use rule_vm::{EventView, Program, Vm};
use serde_json::Value;

use crate::alert::AlertRule;
use crate::alert_rule::alert_rule;
use crate::date_math::DateMath;
use crate::error::EngineError;
use crate::fields::first_value;
use crate::index_pattern::IndexPatterns;
use crate::new_terms::NewTermsState;
use crate::sample_rule::SampleRule;
use crate::sequence_rule::{SequenceOptions, SequenceRule};
use crate::suppression::SuppressionState;
use crate::threshold::ThresholdState;
use crate::timestamp::{EventTime, TimeError};

/// Kibana's default index patterns, used when a rule has no `index`: the
/// `securitySolution:defaultIndex` advanced setting (`DEFAULT_INDEX_PATTERN` in
/// `security_solution/common/constants.ts`).
pub const DEFAULT_INDEX_PATTERNS: [&str; 9] = [
    "apm-*-transaction*",
    "auditbeat-*",
    "endgame-*",
    "filebeat-*",
    "logs-*",
    "packetbeat-*",
    "traces-apm*",
    "winlogbeat-*",
    "-*elastic-cloud-logs-*",
];

/// The event-category gate of an EQL event query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventCategory {
    /// `any where ...`, and every KQL query: no gate.
    Any,
    /// `<category> where ...`: the category field must hold exactly this value (a term query
    /// on a keyword field, eql.md §1.1).
    Named(String),
}

/// What the compiler produced for one rule, as the engine needs it.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant, reason = "one value per rule, built once, moved rarely")]
pub enum CompiledQuery {
    /// A condition over one event: an EQL event query or a KQL query.
    Event {
        /// The query's condition over one event.
        program: Program,
        /// The EQL event category (`Any` for KQL).
        category: EventCategory,
    },
    /// An EQL sequence: per-term programs, join keys, `maxspan`, `until`.
    Sequence(Arc<SequencePlan>),
    /// An EQL sample: per-filter programs and join keys.
    Sample(Arc<SamplePlan>),
}

/// Why a compiled EQL query cannot run as a detection rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryShapeError {
    /// `| head` / `| tail` have no meaning for a detection rule.
    #[error("pipes (`| head`, `| tail`) are not supported in rules")]
    Pipes,
}

impl CompiledQuery {
    /// An EQL event query, sequence or sample with its result `pipes` (each program already
    /// tests its category; the engine also uses the categories to route events).
    pub fn from_eql(plan: EqlPlan, pipes: &[Pipe]) -> Result<Self, QueryShapeError> {
        if !pipes.is_empty() {
            return Err(QueryShapeError::Pipes);
        }
        match plan {
            EqlPlan::Event(stage) => Ok(Self::Event {
                program: stage.program,
                category: stage.category.map_or(EventCategory::Any, EventCategory::Named),
            }),
            EqlPlan::Sequence(plan) => Ok(Self::Sequence(Arc::new(plan))),
            EqlPlan::Sample(plan) => Ok(Self::Sample(Arc::new(plan))),
        }
    }

    /// A KQL query: no category gate.
    pub fn from_kql(program: Program) -> Self {
        Self::Event { program, category: EventCategory::Any }
    }

    /// The categories an event must have for the query to use it (`None`: no gate, some term
    /// is `any` or the query is KQL).
    fn categories(&self) -> Option<Vec<String>> {
        match self {
            Self::Event { category: EventCategory::Any, .. } => None,
            Self::Event { category: EventCategory::Named(name), .. } => Some(vec![name.clone()]),
            Self::Sequence(plan) => Self::stage_categories(plan.stages.iter().chain(&plan.until)),
            Self::Sample(plan) => Self::stage_categories(&plan.stages),
        }
    }

    /// The categories of `stages` (`None` if one is `any`).
    fn stage_categories<'a>(stages: impl IntoIterator<Item = &'a Stage>) -> Option<Vec<String>> {
        let mut names = Vec::new();
        for stage in stages {
            let name = stage.category.clone()?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Some(names)
    }
}

/// What a rule does with the events its query matches.
pub(crate) enum RuleBehaviour {
    /// `eql` event queries and `query` rules: one alert per matching event.
    EachMatch(Program),
    /// `new_terms`: one alert per new term.
    NewTerms(Program, NewTermsState),
    /// `eql` sequences: a building-block alert per event and a shell alert per sequence.
    Sequence(Box<SequenceRule>),
    /// `threshold`: one alert per group of events reaching a count.
    Threshold(Program, ThresholdState),
    /// `eql` samples: a building-block alert per event and a shell alert per sample.
    Sample(Box<SampleRule>),
}

/// A rule ready to run.
pub(crate) struct PreparedRule {
    /// The rule as loaded (schedule, suppression and other settings later rule types use).
    pub(crate) rule: Rule,
    pub(crate) alert: AlertRule,
    /// `(category field, values)`: an event must hold one of the values to be used (EQL).
    pub(crate) categories: Option<(String, Vec<String>)>,
    pub(crate) indices: IndexPatterns,
    pub(crate) timestamp_override: Option<String>,
    pub(crate) behaviour: RuleBehaviour,
    /// `[rule.alert_suppression]`, when set.
    pub(crate) suppression: Option<SuppressionState>,
}

impl PreparedRule {
    /// Checks that the engine can run `rule` and prepares it.
    pub(crate) fn new(
        rule: Rule,
        compiled: CompiledQuery,
        with_parameters: bool,
        sequences: &SequenceOptions,
    ) -> Result<Self, EngineError> {
        let rule_id = rule.rule_id.clone();
        let language = rule.language;
        let categories = compiled.categories();
        let behaviour = match (rule.rule_type, language, compiled) {
            (RuleType::Eql, Some(Language::Eql), CompiledQuery::Sequence(plan)) => {
                let sequence = SequenceRule::new(plan, rule.tiebreaker_field.clone(), sequences)
                    .map_err(|error| EngineError::UnsupportedQuery {
                        rule_id: rule_id.clone(),
                        problem: error.to_string(),
                    })?;
                RuleBehaviour::Sequence(Box::new(sequence))
            }
            (RuleType::Eql, Some(Language::Eql), CompiledQuery::Sample(plan)) => {
                let sample = SampleRule::new(plan, sequences.limits).map_err(|error| {
                    EngineError::UnsupportedQuery {
                        rule_id: rule_id.clone(),
                        problem: error.to_string(),
                    }
                })?;
                RuleBehaviour::Sample(Box::new(sample))
            }
            (_, _, CompiledQuery::Sequence(_) | CompiledQuery::Sample(_)) => {
                return Err(EngineError::UnsupportedQuery {
                    rule_id,
                    problem: "an EQL sequence or sample needs an `eql` rule".to_owned(),
                });
            }
            (RuleType::Eql, Some(Language::Eql), CompiledQuery::Event { program, .. })
            | (RuleType::Query, Some(Language::Kuery), CompiledQuery::Event { program, .. }) => {
                RuleBehaviour::EachMatch(program)
            }
            (RuleType::NewTerms, Some(Language::Kuery), CompiledQuery::Event { program, .. }) => {
                RuleBehaviour::NewTerms(program, new_terms_state(&rule)?)
            }
            (RuleType::Threshold, Some(Language::Kuery), CompiledQuery::Event { program, .. }) => {
                RuleBehaviour::Threshold(program, threshold_state(&rule)?)
            }
            (
                RuleType::Eql | RuleType::Query | RuleType::NewTerms | RuleType::Threshold,
                language,
                _,
            ) => {
                return Err(EngineError::UnsupportedLanguage {
                    rule_id,
                    rule_type: rule.rule_type.to_string(),
                    language: language.map_or_else(|| "none".to_owned(), |l| l.to_string()),
                });
            }
            (other, _, _) => {
                return Err(EngineError::UnsupportedRuleType {
                    rule_id,
                    rule_type: other.to_string(),
                });
            }
        };
        let patterns: Vec<&str> = if rule.index.is_empty() {
            DEFAULT_INDEX_PATTERNS.to_vec()
        } else {
            rule.index.iter().map(String::as_str).collect()
        };
        let indices = IndexPatterns::parse(&patterns).map_err(|error| {
            EngineError::IndexPattern { rule_id: rule_id.clone(), problem: error.to_string() }
        })?;
        let categories = categories.map(|values| {
            let field =
                rule.event_category_override.clone().unwrap_or_else(|| "event.category".to_owned());
            (field, values)
        });
        let suppression = suppression_state(&rule, &behaviour)?;
        Ok(Self {
            suppression,
            alert: alert_rule(&rule, &patterns, with_parameters),
            categories,
            indices,
            timestamp_override: rule.timestamp_override.clone(),
            behaviour,
            rule,
        })
    }

    /// True if this rule uses the event: its query matches it (event rules), or one of its
    /// terms or its `until` clause does (sequences), or one of its filters (samples).
    pub(crate) fn uses(&self, vm: &mut Vm, view: &mut EventView<'_>) -> bool {
        match &self.behaviour {
            RuleBehaviour::EachMatch(program)
            | RuleBehaviour::NewTerms(program, _)
            | RuleBehaviour::Threshold(program, _) => vm.matches(program, view),
            RuleBehaviour::Sequence(sequence) => sequence.uses(vm, view),
            RuleBehaviour::Sample(sample) => sample.uses(vm, view),
        }
    }

    /// The event's time as this rule reads it: `timestamp_override` when set and present,
    /// else `@timestamp` (Kibana falls back unless `timestamp_override_fallback_disabled`).
    /// Unreadable values are returned as errors, with the field they came from.
    pub(crate) fn event_time(
        &self,
        document: &Value,
    ) -> (Option<EventTime>, Vec<(String, TimeError)>) {
        rule_time(self.timestamp_override.as_deref(), document)
    }
}

/// The event's time for a rule with `timestamp_override` (see [`PreparedRule::event_time`]).
pub(crate) fn rule_time(
    timestamp_override: Option<&str>,
    document: &Value,
) -> (Option<EventTime>, Vec<(String, TimeError)>) {
    let mut problems = Vec::new();
    for field in timestamp_override.into_iter().chain(["@timestamp"]) {
        if let Some(value) = first_value(document, field) {
            match EventTime::from_json(value) {
                Ok(Some(time)) => return (Some(time), problems),
                Ok(None) => {}
                Err(error) => problems.push((field.to_owned(), error)),
            }
        }
    }
    (None, problems)
}

/// The `new_terms` state of `rule`, from its `[rule.new_terms]` settings.
fn new_terms_state(rule: &Rule) -> Result<NewTermsState, EngineError> {
    let fail = |problem: String| EngineError::NewTerms { rule_id: rule.rule_id.clone(), problem };
    let settings =
        rule.new_terms.as_ref().ok_or_else(|| fail("no `[rule.new_terms]` settings".to_owned()))?;
    let window =
        DateMath::parse(&settings.history_window_start).map_err(|error| fail(error.to_string()))?;
    if !window.is_relative() {
        return Err(fail(format!(
            "history_window_start `{window}` must be relative to now (like `now-14d`)"
        )));
    }
    NewTermsState::new(settings.fields.clone(), window).map_err(|error| fail(error.to_string()))
}

/// The `threshold` state of `rule`, from its `[rule.threshold]` settings.
fn threshold_state(rule: &Rule) -> Result<ThresholdState, EngineError> {
    let fail =
        |problem: String| EngineError::UnsupportedQuery { rule_id: rule.rule_id.clone(), problem };
    let settings =
        rule.threshold.as_ref().ok_or_else(|| fail("no `[rule.threshold]` settings".to_owned()))?;
    ThresholdState::new(settings).map_err(|error| fail(error.to_string()))
}

/// The suppression state of `rule`, if it sets `[rule.alert_suppression]`. A threshold rule
/// suppresses by its threshold fields (Kibana's threshold suppression takes only a
/// duration); sequences and samples are not suppressed (an error says so).
fn suppression_state(
    rule: &Rule,
    behaviour: &RuleBehaviour,
) -> Result<Option<SuppressionState>, EngineError> {
    let Some(settings) = &rule.alert_suppression else { return Ok(None) };
    let fail =
        |problem: String| EngineError::UnsupportedQuery { rule_id: rule.rule_id.clone(), problem };
    let group_by = match behaviour {
        RuleBehaviour::Threshold(_, state) => Some(state.fields()),
        RuleBehaviour::Sequence(_) | RuleBehaviour::Sample(_) => {
            return Err(fail(
                "alert suppression of EQL sequence and sample rules is not supported".to_owned(),
            ));
        }
        RuleBehaviour::EachMatch(_) | RuleBehaviour::NewTerms(..) => None,
    };
    SuppressionState::new(settings, group_by).map(Some).map_err(|error| fail(error.to_string()))
}
