//! `validate --format sarif`: one SARIF 2.1.0 log (OASIS Static Analysis Results Interchange
//! Format) with one run, so that code-review tools show the diagnostics inline.
//!
//! The log holds the tool (name, version, one reporting descriptor per diagnostic code with
//! its help) and one result per finding: rule id, level, message, and the rule file (its path
//! relative to the working directory) with the region of the finding's first label.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::report::Finding;

/// The SARIF schema this log follows.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// One rule file's findings.
pub(crate) struct FileFindings<'a> {
    /// The rule file, as given on the command line.
    pub(crate) path: &'a Path,
    /// What validation found in it.
    pub(crate) findings: &'a [Finding],
}

/// SARIF's `level` for a finding's severity.
fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// `path` relative to `base` when it lies below it, with `/` separators (a relative URI).
fn relative_uri(path: &Path, base: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}

fn region(finding: &Finding) -> Option<Value> {
    let (line, column) = (finding.line?, finding.column?);
    let mut region = json!({ "startLine": line, "startColumn": column });
    if let (Some(end_line), Some(end_column)) = (finding.end_line, finding.end_column) {
        region["endLine"] = json!(end_line);
        region["endColumn"] = json!(end_column);
    }
    Some(region)
}

fn result(finding: &Finding, uri: &str) -> Value {
    let mut location = json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } });
    if let Some(region) = region(finding) {
        location["physicalLocation"]["region"] = region;
    }
    let mut result = json!({
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [location],
    });
    if let Some(code) = &finding.code {
        result["ruleId"] = json!(code);
    }
    result
}

/// One reporting descriptor per code, with the first message and help seen for it.
fn rules<'a>(files: impl Iterator<Item = &'a Finding>) -> Vec<Value> {
    let mut by_code: BTreeMap<&str, &Finding> = BTreeMap::new();
    for finding in files {
        if let Some(code) = &finding.code {
            by_code.entry(code).or_insert(finding);
        }
    }
    by_code
        .into_iter()
        .map(|(code, finding)| {
            let mut rule = json!({
                "id": code,
                "shortDescription": { "text": finding.message },
                "defaultConfiguration": { "level": level(finding.severity) },
            });
            if let Some(help) = &finding.help {
                rule["help"] = json!({ "text": help });
            }
            rule
        })
        .collect()
}

/// The SARIF log for `files`, with URIs relative to `base` (the working directory).
pub(crate) fn log(files: &[FileFindings<'_>], base: &Path) -> Value {
    let results: Vec<Value> = files
        .iter()
        .flat_map(|file| {
            let uri = relative_uri(file.path, base);
            file.findings.iter().map(move |finding| result(finding, &uri))
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "warden",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules(files.iter().flat_map(|file| file.findings)),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes() {
        let base = Path::new("/work/rules");
        assert_eq!(relative_uri(Path::new("/work/rules/a/b.toml"), base), "a/b.toml");
        assert_eq!(relative_uri(Path::new("./c.toml"), base), "c.toml");
        assert_eq!(relative_uri(Path::new("d/e.toml"), base), "d/e.toml");
    }
}
