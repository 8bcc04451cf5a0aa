//! Which rules an event meets: gates by witness, by EQL event category and by index pattern.
//!
//! Every gate is an exact necessary condition (performance.md §4.1): a rule with a witness
//! (`witness.rs`) only matches events holding one of its witness values, an EQL event query
//! only matches events whose category field holds its category, and a rule only searches the
//! indices its patterns select. Witnesses and categories are looked up in hash tables through
//! the event's [`EventView`] (no allocation per event once warm); index verdicts are cached
//! per index name. An event whose index is unknown passes every index gate.
//! `Routing::FullScan` checks the category and index conditions rule by rule, without
//! witnesses, for the differential tests.

use std::collections::HashMap;

use rule_vm::{CaseMode, EventView, FieldId, FieldTable, Program};

use crate::fields::{field_values, scalar_text};
use crate::rule::{PreparedRule, RuleBehaviour};
use crate::witness::{KeyScratch, WitnessIndex, choose_witnesses};

/// Distinct index names whose verdicts are kept (the cache restarts past this).
const MAX_CACHED_INDICES: usize = 4096;

/// How candidates are found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Routing {
    /// Hash lookups by witness and category, and cached index verdicts.
    #[default]
    Indexed,
    /// Every rule's gates checked one by one (a reference for tests).
    FullScan,
}

/// The rule tables.
#[derive(Debug, Default)]
pub(crate) struct Router {
    routing: Routing,
    /// Rules without a witness or a category gate.
    ungated: Vec<usize>,
    /// Per category field: category value -> category number.
    category_fields: Vec<(FieldId, HashMap<Box<str>, usize>)>,
    /// Per category number: the rules without a witness gated by it.
    by_category: Vec<Vec<usize>>,
    /// Rules with a witness.
    witnesses: WitnessIndex,
    /// Per rule with a witness and a category gate: its category numbers.
    witnessed_categories: HashMap<usize, Vec<usize>>,
    /// Index name -> which rules search it.
    index_verdicts: HashMap<String, Vec<bool>>,
    /// Scratch: category numbers of the current event, witnessed rules, key text.
    present: Vec<usize>,
    witnessed: Vec<usize>,
    scratch: KeyScratch,
}

impl Router {
    /// Tables for `rules`; category fields are interned in `fields`.
    pub(crate) fn new(rules: &[PreparedRule], fields: &mut FieldTable, routing: Routing) -> Self {
        let mut router = Self { routing, ..Self::default() };
        let programs: Vec<Vec<&Program>> = rules.iter().map(programs).collect();
        let witnesses = choose_witnesses(&programs, fields);
        for ((position, rule), witness) in rules.iter().enumerate().zip(witnesses) {
            let categories = rule.categories.as_ref().map(|(field, values)| {
                let field = fields.intern(field);
                values.iter().map(|value| router.category_number(field, value)).collect::<Vec<_>>()
            });
            match (witness, categories) {
                (Some(witness), categories) => {
                    for term in &witness {
                        router.witnesses.insert(term, position);
                    }
                    if let Some(categories) = categories {
                        router.witnessed_categories.insert(position, categories);
                    }
                }
                (None, Some(categories)) => {
                    for category in categories {
                        router.by_category[category].push(position);
                    }
                }
                (None, None) => router.ungated.push(position),
            }
        }
        router
    }

    /// The number of category `value` of `field`, new if unseen.
    fn category_number(&mut self, field: FieldId, value: &str) -> usize {
        let known = self.category_fields.iter().position(|(known, _)| *known == field);
        let at = known.unwrap_or_else(|| {
            self.category_fields.push((field, HashMap::new()));
            self.category_fields.len() - 1
        });
        let next = self.by_category.len();
        let number = *self.category_fields[at].1.entry(value.into()).or_insert(next);
        if number == next {
            self.by_category.push(Vec::new());
        }
        number
    }

    /// Fills `out` with the positions, ascending, of the rules the event of `view` (from
    /// `index`) meets.
    pub(crate) fn candidates(
        &mut self,
        rules: &[PreparedRule],
        view: &mut EventView<'_>,
        index: Option<&str>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        match self.routing {
            Routing::FullScan => full_scan(rules, view, index, out),
            Routing::Indexed => {
                out.extend_from_slice(&self.ungated);
                self.present.clear();
                for (field, table) in &self.category_fields {
                    for &value in view.values(*field) {
                        let text = self.scratch.key(value, CaseMode::Sensitive);
                        if let Some(&number) = text.and_then(|text| table.get(text)) {
                            self.present.push(number);
                            out.extend_from_slice(&self.by_category[number]);
                        }
                    }
                }
                self.witnessed.clear();
                self.witnesses.lookup(view, &mut self.scratch, &mut self.witnessed);
                for &position in &self.witnessed {
                    let category_ok =
                        self.witnessed_categories.get(&position).is_none_or(|categories| {
                            categories.iter().any(|number| self.present.contains(number))
                        });
                    if category_ok {
                        out.push(position);
                    }
                }
                if let Some(name) = index {
                    if !self.index_verdicts.contains_key(name) {
                        if self.index_verdicts.len() >= MAX_CACHED_INDICES {
                            self.index_verdicts.clear();
                        }
                        let verdicts =
                            rules.iter().map(|rule| rule.indices.matches(name)).collect();
                        self.index_verdicts.insert(name.to_owned(), verdicts);
                    }
                    let verdicts = &self.index_verdicts[name];
                    out.retain(|&position| verdicts[position]);
                }
                out.sort_unstable();
                out.dedup();
            }
        }
    }
}

/// The programs that decide whether `rule` uses an event.
fn programs(rule: &PreparedRule) -> Vec<&Program> {
    match &rule.behaviour {
        RuleBehaviour::EachMatch(program)
        | RuleBehaviour::NewTerms(program, _)
        | RuleBehaviour::Threshold(program, _) => vec![program],
        RuleBehaviour::Sequence(sequence) => sequence.programs().collect(),
        RuleBehaviour::Sample(sample) => sample.programs().collect(),
    }
}

/// The reference: each rule's category and index gates checked in turn.
fn full_scan(
    rules: &[PreparedRule],
    view: &EventView<'_>,
    index: Option<&str>,
    out: &mut Vec<usize>,
) {
    let document = view.event();
    for (position, rule) in rules.iter().enumerate() {
        let category_ok = rule.categories.as_ref().is_none_or(|(field, values)| {
            field_values(document, field)
                .into_iter()
                .any(|found| scalar_text(found).is_some_and(|text| values.contains(&text)))
        });
        let index_ok = index.is_none_or(|name| rule.indices.matches(name));
        if category_ok && index_ok {
            out.push(position);
        }
    }
}
