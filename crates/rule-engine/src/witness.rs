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

/// A program's distinct exact tests, each with the instructions applying it.
type ExactTests = Vec<(KeyTerm, Vec<usize>)>;

/// The witness of each rule, given its programs, or `None` for a rule some program of which
/// has none. A program's witness is a set of its exact tests one of which every match
/// passes: it starts as all of them (if the program cannot match with all failing) and the
/// least selective are dropped while the rest still suffice. Selectivity: specific fields
/// before broad ones, then values that fewer rules test (a value many rules look for, like
/// `event.action: "start"`, is likely common in events).
pub(crate) fn choose_witnesses(
    rules: &[Vec<&Program>],
    fields: &FieldTable,
) -> Vec<Option<Vec<KeyTerm>>> {
    let tests: Vec<Vec<ExactTests>> = rules
        .iter()
        .map(|programs| programs.iter().map(|program| program.exact_tests()).collect())
        .collect();
    let mut popularity: HashMap<(FieldId, CaseMode, &str), usize> = HashMap::new();
    for (term, _) in tests.iter().flatten().flatten() {
        for value in &term.values {
            *popularity.entry((term.field, term.case, value)).or_default() += 1;
        }
    }
    let rank = |term: &KeyTerm| {
        let shared: usize =
            term.values.iter().map(|value| popularity[&(term.field, term.case, &**value)]).sum();
        (BROAD_FIELDS.contains(&fields.name(term.field)), shared)
    };
    rules
        .iter()
        .zip(&tests)
        .map(|(programs, tests)| {
            let mut witness = Vec::new();
            for (program, tests) in programs.iter().zip(tests) {
                witness.extend(program_witness(program, tests, rank)?);
            }
            (!witness.is_empty()).then_some(witness)
        })
        .collect()
}

/// The witness of one program among its exact `tests` (see [`choose_witnesses`]).
fn program_witness<R: Ord>(
    program: &Program,
    tests: &[(KeyTerm, Vec<usize>)],
    rank: impl Fn(&KeyTerm) -> R,
) -> Option<Vec<KeyTerm>> {
    let mut failing = vec![false; program.instrs().len()];
    for (_, places) in tests {
        for &at in places {
            failing[at] = true;
        }
    }
    if tests.is_empty() || !program.fails_when(&failing) {
        return None;
    }
    let mut order: Vec<&(KeyTerm, Vec<usize>)> = tests.iter().collect();
    order.sort_by_key(|(term, _)| std::cmp::Reverse(rank(term)));
    let mut kept = Vec::new();
    for (term, places) in order {
        for &at in places {
            failing[at] = false;
        }
        if !program.fails_when(&failing) {
            for &at in places {
                failing[at] = true;
            }
            kept.push(term.clone());
        }
    }
    Some(kept)
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
