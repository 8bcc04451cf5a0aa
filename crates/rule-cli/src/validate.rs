//! `warden validate`: every rule file's shape, query syntax and typed compilation (against
//! the schema of its index patterns: type errors, unknown fields and event categories as
//! warnings), the look-back of EQL sequences, and `rule_id`s unique across all the files of
//! one call.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use eql_syntax::ast::{QueryBody, Sequence};
use miette::{Diagnostic, NamedSource, SourceSpan};
use rule_model::{DuplicateRuleId, RuleFile, RuleType};
use serde::Serialize;
use thiserror::Error;

use crate::args::{Format, ValidateArgs};
use crate::compile::compile;
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::report::{Finding, Style, findings};
use crate::rule_paths::rule_paths;
use crate::sarif::{self, FileFindings};
use crate::schema::Schemas;
use crate::{ExitStatus, UsageError};

/// Warden has no parser for this rule's query: reported, but not an error.
#[derive(Debug, Error, Diagnostic)]
#[error("{what} rules are not supported by warden; the query was not checked")]
#[diagnostic(code(warden::not_supported), severity(Warning))]
pub(crate) struct NotSupported {
    /// `esql`, `lucene`, `machine_learning`.
    pub(crate) what: String,
    /// The rule file.
    #[source_code]
    pub(crate) source_code: NamedSource<String>,
    /// The query value, or the type value.
    #[label("not checked")]
    pub(crate) span: Option<SourceSpan>,
}

/// One line of `--format json`.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    path: String,
    rule_id: Option<&'a str>,
    name: Option<&'a str>,
    #[serde(rename = "type")]
    rule_type: Option<&'a str>,
    language: Option<&'a str>,
    valid: bool,
    diagnostics: Vec<Finding>,
}

/// Runs `validate`, writing reports to `out`.
pub(crate) fn validate(args: &ValidateArgs, out: &mut dyn Write) -> Result<ExitStatus, UsageError> {
    let paths = rule_paths(&args.paths)?;
    let style = Style::for_stdout();
    let mut schemas = Schemas::load(&args.schema)?;
    let mut invalid = 0usize;
    let mut skipped = 0usize;
    let mut first_by_id: HashMap<String, RuleFile> = HashMap::new();
    let mut kept = Vec::new();
    for path in &paths {
        let (mut outcome, file) = check_file(path, &mut schemas, style);
        if let Some(file) = file {
            match first_by_id.get(&file.rule.rule_id) {
                Some(first) => {
                    if let Some(duplicate) = DuplicateRuleId::between(first, &file) {
                        outcome.valid = false;
                        outcome.add(style, &duplicate);
                    }
                }
                None => {
                    first_by_id.insert(file.rule.rule_id.clone(), file);
                }
            }
        }
        if !outcome.valid {
            invalid += 1;
        }
        if outcome.not_supported.is_some() {
            skipped += 1;
        }
        let written = match args.format {
            Format::Text => outcome.write_text(path, out),
            Format::Json => outcome.write_json(path, out),
            Format::Sarif => {
                kept.push(outcome);
                Ok(())
            }
        };
        written.map_err(UsageError::Output)?;
    }
    if args.format == Format::Sarif {
        let files: Vec<FileFindings<'_>> = paths
            .iter()
            .zip(&kept)
            .map(|(path, outcome)| FileFindings { path, findings: &outcome.findings })
            .collect();
        let base = std::env::current_dir().unwrap_or_default();
        let log = sarif::log(&files, &base);
        let text = serde_json::to_string_pretty(&log).map_err(|e| UsageError::Output(e.into()))?;
        writeln!(out, "{text}").map_err(UsageError::Output)?;
    }
    if args.format == Format::Text {
        let valid = paths.len() - invalid;
        writeln!(
            out,
            "{} rule file(s): {valid} valid ({skipped} not checked), {invalid} invalid",
            paths.len()
        )
        .map_err(UsageError::Output)?;
    }
    Ok(if invalid == 0 { ExitStatus::Success } else { ExitStatus::Failure })
}

/// Everything validation found about one file.
pub(crate) struct FileOutcome {
    rule_id: Option<String>,
    name: Option<String>,
    rule_type: Option<String>,
    language: Option<String>,
    valid: bool,
    /// Graphical reports of the problems, placed in the rule file.
    reports: Vec<String>,
    /// The same problems, flattened.
    findings: Vec<Finding>,
    /// Why the query was not checked, if it was not.
    not_supported: Option<String>,
}

impl FileOutcome {
    fn new(valid: bool) -> Self {
        Self {
            rule_id: None,
            name: None,
            rule_type: None,
            language: None,
            valid,
            reports: Vec::new(),
            findings: Vec::new(),
            not_supported: None,
        }
    }

    fn add(&mut self, style: Style, diagnostic: &dyn Diagnostic) {
        self.reports.push(style.render(diagnostic));
        self.findings.extend(findings(diagnostic));
    }
}

/// Checks one rule file: shape, then its query. Returns the loaded file too, if it loaded.
pub(crate) fn check_file(
    path: &Path,
    schemas: &mut Schemas,
    style: Style,
) -> (FileOutcome, Option<RuleFile>) {
    let file = match RuleFile::load(path) {
        Ok(file) => file,
        Err(failure) => {
            let summary = failure.summary;
            let mut outcome = FileOutcome {
                rule_id: summary.rule_id,
                name: summary.name,
                rule_type: summary.rule_type,
                language: summary.language,
                ..FileOutcome::new(false)
            };
            outcome.add(style, &failure.failure);
            return (outcome, None);
        }
    };
    let outcome = check_loaded(&file, schemas, style);
    (outcome, Some(file))
}

/// Checks a loaded rule file's warnings and query.
fn check_loaded(file: &RuleFile, schemas: &mut Schemas, style: Style) -> FileOutcome {
    let rule = &file.rule;
    let mut outcome = FileOutcome {
        rule_id: Some(rule.rule_id.clone()),
        name: Some(rule.name.clone()),
        rule_type: Some(rule.rule_type.to_string()),
        language: rule.language.map(|l| l.to_string()),
        ..FileOutcome::new(true)
    };
    if let Some(warnings) = file.warning_report() {
        outcome.add(style, &warnings);
    }
    let (Some(language), Some(query)) = (rule.language, &rule.query) else {
        if rule.rule_type == RuleType::MachineLearning {
            let note = NotSupported {
                what: rule.rule_type.to_string(),
                source_code: file.named_source(),
                span: None,
            };
            outcome.findings.extend(findings(&note));
            outcome.not_supported = Some(note.to_string());
        }
        return outcome;
    };
    match parse_query(language, &query.text) {
        QueryOutcome::Parsed(parsed) => {
            if let ParsedQuery::Eql(ast) = parsed.as_ref()
                && let QueryBody::Sequence(Sequence { maxspan: Some(maxspan), .. }) = &ast.body
                && let Some(failure) =
                    file.check_lookback(maxspan.as_millis(), &maxspan.to_string())
            {
                outcome.valid = false;
                outcome.add(style, &failure);
            }
            let target = schemas.target(&rule.index, rule.event_category_override.as_deref());
            match compile(&parsed, target) {
                Ok(compiled) if !compiled.warnings.is_empty() => {
                    outcome.add(style, &file.query_diagnostic(&compiled.warnings));
                }
                Ok(_) => {}
                Err(errors) => {
                    outcome.valid = false;
                    outcome.add(style, &file.query_diagnostic(&errors));
                }
            }
        }
        QueryOutcome::Invalid(diagnostic) => {
            outcome.valid = false;
            outcome.add(style, &file.query_diagnostic(diagnostic.as_ref()));
        }
        QueryOutcome::NotSupported(language) => {
            let note = NotSupported {
                what: language.to_string(),
                source_code: file.named_source(),
                span: Some(query.value_span.into()),
            };
            outcome.findings.extend(findings(&note));
            outcome.not_supported = Some(note.to_string());
        }
    }
    outcome
}

impl FileOutcome {
    fn write_text(&self, path: &Path, out: &mut dyn Write) -> io::Result<()> {
        for report in &self.reports {
            writeln!(out, "{report}")?;
        }
        if let Some(note) = &self.not_supported {
            writeln!(out, "skipped: {} ({note})", path.display())?;
        } else if self.valid {
            writeln!(out, "ok: {}", path.display())?;
        }
        Ok(())
    }

    fn write_json(&self, path: &Path, out: &mut dyn Write) -> io::Result<()> {
        let report = JsonReport {
            path: path.display().to_string(),
            rule_id: self.rule_id.as_deref(),
            name: self.name.as_deref(),
            rule_type: self.rule_type.as_deref(),
            language: self.language.as_deref(),
            valid: self.valid,
            diagnostics: self.findings.clone(),
        };
        let line = serde_json::to_string(&report).map_err(io::Error::other)?;
        writeln!(out, "{line}")
    }
}
