//! Which rules an event meets: gates by EQL event category and by index pattern.
//!
//! Both gates are exact necessary conditions (performance.md §4.1): an EQL event query only
//! matches events whose category field holds its category, and a rule only searches the
//! indices its patterns select. Categories are looked up in a hash table per category
//! field; index verdicts are cached per index name. An event whose index is unknown passes
//! every index gate. `Routing::FullScan` checks the same conditions rule by rule, for the
//! differential test.

use std::collections::HashMap;

use serde_json::Value;

use crate::fields::{field_values, scalar_text};
use crate::rule::PreparedRule;

/// Distinct index names whose verdicts are kept (the cache restarts past this).
const MAX_CACHED_INDICES: usize = 4096;

/// How candidates are found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Routing {
    /// Hash lookups by category and cached index verdicts.
    #[default]
    Indexed,
    /// Every rule's gates checked one by one (a reference for tests).
    FullScan,
}

/// The rule tables.
#[derive(Debug, Default)]
pub(crate) struct Router {
    routing: Routing,
    /// Rules without a category gate.
    ungated: Vec<usize>,
    /// Per category field: category value -> rules.
    by_category: Vec<(String, HashMap<String, Vec<usize>>)>,
    /// Index name -> which rules search it.
    index_verdicts: HashMap<String, Vec<bool>>,
    /// Scratch: category values of the current event.
    values: Vec<String>,
}

impl Router {
    pub(crate) fn new(rules: &[PreparedRule], routing: Routing) -> Self {
        let mut router = Self { routing, ..Self::default() };
        for (position, rule) in rules.iter().enumerate() {
            let Some((field, values)) = &rule.categories else {
                router.ungated.push(position);
                continue;
            };
            let found = router.by_category.iter().position(|(name, _)| name == field);
            let table = if let Some(found) = found {
                found
            } else {
                router.by_category.push((field.clone(), HashMap::new()));
                router.by_category.len() - 1
            };
            for value in values {
                router.by_category[table].1.entry(value.clone()).or_default().push(position);
            }
        }
        router
    }

    /// Fills `out` with the positions, ascending, of the rules `document` (from `index`) meets.
    pub(crate) fn candidates(
        &mut self,
        rules: &[PreparedRule],
        document: &Value,
        index: Option<&str>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        match self.routing {
            Routing::FullScan => {
                for (position, rule) in rules.iter().enumerate() {
                    let category_ok = rule.categories.as_ref().is_none_or(|(field, values)| {
                        field_values(document, field).into_iter().any(|found| {
                            scalar_text(found).is_some_and(|text| values.contains(&text))
                        })
                    });
                    let index_ok = index.is_none_or(|name| rule.indices.matches(name));
                    if category_ok && index_ok {
                        out.push(position);
                    }
                }
            }
            Routing::Indexed => {
                out.extend_from_slice(&self.ungated);
                for (field, table) in &self.by_category {
                    self.values.clear();
                    for found in field_values(document, field) {
                        if let Some(text) = scalar_text(found)
                            && !self.values.contains(&text)
                        {
                            self.values.push(text);
                        }
                    }
                    for value in &self.values {
                        if let Some(positions) = table.get(value) {
                            out.extend_from_slice(positions);
                        }
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
