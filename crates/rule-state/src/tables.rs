//! The tables of the state file and what each holds.
//!
//! Every value is JSON (`serde_json`), so a record can be read back by any build that knows its
//! type and decoded with a clear error otherwise; keys are plain strings or numbers.

use redb::TableDefinition;

/// `key -> JSON`: the format version and engine-wide values.
pub(crate) const META: TableDefinition<'static, &str, &[u8]> = TableDefinition::new("meta");

/// `rule_id -> fingerprint` of the rule whose state the per-rule tables hold.
pub(crate) const RULES: TableDefinition<'static, &str, &str> = TableDefinition::new("rules");

/// `uuid -> rule_id` of every alert already reported.
pub(crate) const ALERTED: TableDefinition<'static, &str, &str> = TableDefinition::new("alerted");

/// `position -> JSON alert` of the last commit's alerts, until they are marked delivered.
pub(crate) const UNDELIVERED: TableDefinition<'static, u64, &[u8]> =
    TableDefinition::new("undelivered");

/// The key of the format version in [`META`].
pub(crate) const FORMAT_VERSION_KEY: &str = "format_version";

/// A per-rule table: `rule_id -> JSON` state of one rule type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleTable {
    /// `new_terms` histories (when each term was last seen).
    NewTerms,
    /// Pending sequences of `eql` sequence rules, with the events they hold; for `eql` sample
    /// rules, the last execution, the events its window holds and the samples it found.
    Sequences,
    /// `threshold` rules: signal history per group, the last execution and the matching
    /// events its window still holds.
    Threshold,
    /// Alert suppression windows (per group: the execution that created its kept alert).
    Suppression,
}

impl RuleTable {
    /// Every per-rule table.
    pub const ALL: [RuleTable; 4] =
        [RuleTable::NewTerms, RuleTable::Sequences, RuleTable::Threshold, RuleTable::Suppression];

    /// The table's name in the file.
    pub fn name(self) -> &'static str {
        match self {
            RuleTable::NewTerms => "new_terms",
            RuleTable::Sequences => "sequences",
            RuleTable::Threshold => "threshold",
            RuleTable::Suppression => "suppression",
        }
    }

    pub(crate) fn definition(self) -> TableDefinition<'static, &'static str, &'static [u8]> {
        TableDefinition::new(self.name())
    }
}
