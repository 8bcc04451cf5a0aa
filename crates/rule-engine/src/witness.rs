//! The witness index (performance.md §4.1): each rule is filed under the values of one exact
//! field test that all its matches pass, so an event meets only the rules whose witness
//! value it holds.
//!
//! Witnesses come from [`Program::key_terms`], a bytecode analysis, so they are necessary by
//! construction; values are compared exactly as the VM compares them (text of the scalar,
//! folded for case-insensitive tests, [`KeyTerm::value_key`]). A rule with several programs
//! (a sequence's terms and `until`) is filed under one term of each, since any of them may
//! use the event; a rule with a program without key terms has no witness.

use std::collections::HashMap;

use rule_vm::{CaseMode, EventView, FieldId, FieldTable, KeyTerm, Program};
use serde_json::Value;

/// Fields whose values are shared by many events: a witness on them is a last resort.
const BROAD_FIELDS: [&str; 16] = [
    "event.category",
    "event.type",
    "event.kind",
    "event.outcome",
    "event.module",
    "event.dataset",
    "data_stream.dataset",
    "data_stream.type",
    "host.os.type",
    "host.os.name",
    "host.os.family",
    "host.os.platform",
    "agent.type",
    "cloud.provider",
    "network.direction",
    "network.transport",
];

/// The witness of each rule, given its programs: one key term per program, or `None` if
/// some program has none. Among a program's key terms the most selective is chosen:
/// specific fields before broad ones, then the term whose values the fewest rules test (a
/// value many rules look for, like `event.action: "start"`, is likely common in events).
pub(crate) fn choose_witnesses(
    rules: &[Vec<&Program>],
    fields: &FieldTable,
) -> Vec<Option<Vec<KeyTerm>>> {
    let terms: Vec<Vec<Vec<KeyTerm>>> = rules
        .iter()
        .map(|programs| programs.iter().map(|program| program.key_terms()).collect())
        .collect();
    let mut popularity: HashMap<(FieldId, CaseMode, &str), usize> = HashMap::new();
    for term in terms.iter().flatten().flatten() {
        for value in &term.values {
            *popularity.entry((term.field, term.case, value)).or_default() += 1;
        }
    }
    let rank = |term: &KeyTerm| {
        let shared: usize =
            term.values.iter().map(|value| popularity[&(term.field, term.case, &**value)]).sum();
        (BROAD_FIELDS.contains(&fields.name(term.field)), shared)
    };
    terms
        .iter()
        .map(|programs| {
            let witness = programs
                .iter()
                .map(|program| program.iter().min_by_key(|term| rank(term)).cloned())
                .collect::<Option<Vec<KeyTerm>>>()?;
            (!witness.is_empty()).then_some(witness)
        })
        .collect()
}

/// Rules by field, case mode and value.
#[derive(Debug, Default)]
pub(crate) struct WitnessIndex {
    fields: Vec<KeyField>,
}

/// The rules filed under values of one field.
#[derive(Debug)]
struct KeyField {
    field: FieldId,
    sensitive: HashMap<Box<str>, Vec<usize>>,
    insensitive: HashMap<Box<str>, Vec<usize>>,
}

/// Scratch buffers of a lookup (kept by the caller so that lookups do not allocate).
#[derive(Debug, Default)]
pub(crate) struct KeyScratch {
    text: String,
    fold: String,
}

impl KeyScratch {
    /// The text of `value` as the VM compares it in `case` mode ([`KeyTerm::value_key`]).
    pub(crate) fn key<'b>(&'b mut self, value: &'b Value, case: CaseMode) -> Option<&'b str> {
        KeyTerm::value_key(value, case, &mut self.text, &mut self.fold)
    }
}

impl WitnessIndex {
    /// Files `rule` under every value of `term`.
    pub(crate) fn insert(&mut self, term: &KeyTerm, rule: usize) {
        let known = self.fields.iter().position(|key| key.field == term.field);
        let at = known.unwrap_or_else(|| {
            self.fields.push(KeyField {
                field: term.field,
                sensitive: HashMap::new(),
                insensitive: HashMap::new(),
            });
            self.fields.len() - 1
        });
        let key = &mut self.fields[at];
        let table = match term.case {
            CaseMode::Sensitive => &mut key.sensitive,
            CaseMode::Insensitive => &mut key.insensitive,
        };
        for value in &term.values {
            let rules = table.entry(value.clone()).or_default();
            if rules.last() != Some(&rule) {
                rules.push(rule);
            }
        }
    }

    /// Appends to `out` the rules whose witness the event holds (possibly repeated).
    pub(crate) fn lookup(
        &self,
        view: &mut EventView<'_>,
        scratch: &mut KeyScratch,
        out: &mut Vec<usize>,
    ) {
        for key in &self.fields {
            for &value in view.values(key.field) {
                for (case, table) in [
                    (CaseMode::Sensitive, &key.sensitive),
                    (CaseMode::Insensitive, &key.insensitive),
                ] {
                    if table.is_empty() {
                        continue;
                    }
                    let Some(text) = scratch.key(value, case) else { break };
                    if let Some(rules) = table.get(text) {
                        out.extend_from_slice(rules);
                    }
                }
            }
        }
    }
}
