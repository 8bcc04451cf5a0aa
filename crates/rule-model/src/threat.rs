//! `[[rule.threat]]`: checks that each MITRE mapping is well formed, and converts it.
//!
//! The rules are detection-rules' (`definitions.py` URL patterns and
//! `test_all_rules.py::test_tactic_to_technique_correlations` / `test_duplicated_tactics`):
//! the framework is `MITRE ATT&CK` (or `MITRE ATLAS`); a tactic id is `TA` and four digits,
//! a technique id `T` and four digits, a sub-technique id its technique's id, a dot and three
//! digits; each reference URL is the framework's page of exactly that id; a tactic appears
//! once per rule.

use std::ops::Range;

use toml::Spanned;

use crate::error::RuleFileError;
use crate::model::{AttackEntry, Technique, Threat};
use crate::raw::{RawAttackEntry, RawThreat};

/// The two MITRE frameworks detection-rules accepts, with their id prefix and site.
#[derive(Clone, Copy)]
struct Framework {
    name: &'static str,
    /// `""` for ATT&CK ids (`TA0003`), `"AML."` for ATLAS ids (`AML.TA0003`).
    id_prefix: &'static str,
    site: &'static str,
}

const FRAMEWORKS: [Framework; 2] = [
    Framework { name: "MITRE ATT&CK", id_prefix: "", site: "https://attack.mitre.org" },
    Framework { name: "MITRE ATLAS", id_prefix: "AML.", site: "https://atlas.mitre.org" },
];

/// True if `text` is `prefix` then exactly `digits` ASCII digits.
fn is_code(text: &str, prefix: &str, digits: usize) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == digits && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks every threat entry, pushing one diagnostic per problem, and converts them.
pub(crate) fn threats(
    raw: Vec<Spanned<RawThreat>>,
    errors: &mut Vec<RuleFileError>,
) -> Vec<Threat> {
    let mut seen_tactics: Vec<String> = Vec::new();
    let mut threats = Vec::with_capacity(raw.len());
    for entry in raw {
        let entry = entry.into_inner();
        let framework = framework(&entry.framework, errors);
        if let Some(framework) = framework {
            check_tactic(framework, &entry.tactic, errors);
            for technique in entry.technique.iter().flatten() {
                check_technique(framework, technique.get_ref(), errors);
            }
        }
        let tactic_name = entry.tactic.get_ref().name.get_ref();
        if seen_tactics.contains(tactic_name) {
            errors.push(bad(
                format!("tactic {tactic_name:?} is mapped twice"),
                entry.tactic.get_ref().name.span(),
                "merge the techniques of both entries into one [[rule.threat]] per tactic",
            ));
        } else {
            seen_tactics.push(tactic_name.clone());
        }
        threats.push(convert(entry));
    }
    threats
}

fn bad(message: String, span: Range<usize>, help: impl Into<String>) -> RuleFileError {
    RuleFileError::BadThreat { message, span: span.into(), help: help.into() }
}

fn framework(value: &Spanned<String>, errors: &mut Vec<RuleFileError>) -> Option<Framework> {
    let found = FRAMEWORKS.into_iter().find(|f| f.name == value.get_ref());
    if found.is_none() {
        errors.push(bad(
            format!("unknown framework {:?}", value.get_ref()),
            value.span(),
            "write framework = \"MITRE ATT&CK\" (or \"MITRE ATLAS\")",
        ));
    }
    found
}

/// Checks that `entry.name` is not empty and `entry.reference` is `expected_reference`.
fn check_name_and_reference(
    entry: &RawAttackEntry,
    kind: &str,
    expected_reference: &str,
    errors: &mut Vec<RuleFileError>,
) {
    if entry.name.get_ref().trim().is_empty() {
        errors.push(bad(
            format!("{kind} {} has no name", entry.id.get_ref()),
            entry.name.span(),
            format!("write the {kind}'s MITRE name"),
        ));
    }
    if entry.reference.get_ref() != expected_reference {
        errors.push(bad(
            format!("reference is not the page of {kind} {}", entry.id.get_ref()),
            entry.reference.span(),
            format!("write reference = \"{expected_reference}\""),
        ));
    }
}

fn check_tactic(
    framework: Framework,
    tactic: &Spanned<RawAttackEntry>,
    errors: &mut Vec<RuleFileError>,
) {
    let tactic = tactic.get_ref();
    let id = tactic.id.get_ref();
    let prefix = format!("{}TA", framework.id_prefix);
    if !is_code(id, &prefix, 4) {
        errors.push(bad(
            format!("tactic id {id:?} is not {prefix} and four digits"),
            tactic.id.span(),
            format!("write the tactic's id, e.g. id = \"{prefix}0003\""),
        ));
        return;
    }
    let expected = format!("{}/tactics/{id}/", framework.site);
    check_name_and_reference(tactic, "tactic", &expected, errors);
}

fn check_technique(
    framework: Framework,
    technique: &crate::raw::RawTechnique,
    errors: &mut Vec<RuleFileError>,
) {
    let id = technique.id.get_ref();
    let prefix = format!("{}T", framework.id_prefix);
    if !is_code(id, &prefix, 4) {
        let help = if id.contains('.') {
            "a dotted id is a sub-technique: list it under [[rule.threat.technique.subtechnique]] of its technique".to_owned()
        } else {
            format!("write the technique's id, e.g. id = \"{prefix}1053\"")
        };
        errors.push(bad(
            format!("technique id {id:?} is not {prefix} and four digits"),
            technique.id.span(),
            help,
        ));
        return;
    }
    let entry = RawAttackEntry {
        id: technique.id.clone(),
        name: technique.name.clone(),
        reference: technique.reference.clone(),
    };
    let expected = format!("{}/techniques/{id}/", framework.site);
    check_name_and_reference(&entry, "technique", &expected, errors);
    for sub in technique.subtechnique.iter().flatten() {
        let sub = sub.get_ref();
        let sub_id = sub.id.get_ref();
        let Some(number) = sub_id.strip_prefix(id.as_str()).and_then(|s| s.strip_prefix('.'))
        else {
            errors.push(bad(
                format!("sub-technique {sub_id:?} does not belong to technique {id}"),
                sub.id.span(),
                format!("a sub-technique of {id} has the id {id}.<three digits>; move it under its own technique"),
            ));
            continue;
        };
        if !is_code(number, "", 3) {
            errors.push(bad(
                format!("sub-technique id {sub_id:?} is not {id}.<three digits>"),
                sub.id.span(),
                format!("write the sub-technique's id, e.g. id = \"{id}.001\""),
            ));
            continue;
        }
        let expected = match framework.id_prefix {
            "" => format!("{}/techniques/{id}/{number}/", framework.site),
            _ => format!("{}/techniques/{sub_id}/", framework.site),
        };
        check_name_and_reference(sub, "sub-technique", &expected, errors);
    }
}

fn attack_entry(raw: RawAttackEntry) -> AttackEntry {
    AttackEntry {
        id: raw.id.into_inner(),
        name: raw.name.into_inner(),
        reference: raw.reference.into_inner(),
    }
}

fn convert(raw: RawThreat) -> Threat {
    let techniques = raw
        .technique
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let t = t.into_inner();
            Technique {
                entry: AttackEntry {
                    id: t.id.into_inner(),
                    name: t.name.into_inner(),
                    reference: t.reference.into_inner(),
                },
                subtechniques: t
                    .subtechnique
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| attack_entry(s.into_inner()))
                    .collect(),
            }
        })
        .collect();
    Threat {
        framework: raw.framework.into_inner(),
        tactic: attack_entry(raw.tactic.into_inner()),
        techniques,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(is_code("TA0003", "TA", 4));
        assert!(is_code("AML.T0051", "AML.T", 4));
        for bad in ["TA003", "TA00031", "T0003", "TAabcd", ""] {
            assert!(!is_code(bad, "TA", 4), "{bad}");
        }
    }
}
