//! Loading one rule file: TOML with spans, then the shape checks.

use std::path::Path;

use miette::{Diagnostic, NamedSource};
use rule_span::Span;
use serde::Deserialize;
use toml::de::{DeTable, Deserializer};

use crate::check::Checker;
use crate::error::{RuleFileError, RuleFileFailure, RuleFileWarnings};
use crate::known_keys::unknown_keys;
use crate::model::{KeySpans, Metadata, Rule};
use crate::query_span::QueryDiagnostic;
use crate::raw::RawDocument;

/// A loaded and checked rule file, with its text for diagnostics.
#[derive(Clone, Debug)]
pub struct RuleFile {
    name: String,
    text: String,
    /// `[metadata]` (empty when the file has none).
    pub metadata: Metadata,
    /// `[rule]`.
    pub rule: Rule,
    /// Problems Kibana would accept (unknown keys, a risk score outside its severity's band,
    /// ...), in file order.
    warnings: Vec<RuleFileError>,
    /// Where some keys sit, for checks made after loading.
    spans: KeySpans,
}

/// What little could be read from a rule file that failed its checks, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSummary {
    /// `rule_id`, if it is a string.
    pub rule_id: Option<String>,
    /// `name`, if it is a string.
    pub name: Option<String>,
    /// `type`, as written.
    pub rule_type: Option<String>,
    /// `language`, as written.
    pub language: Option<String>,
}

impl RuleSummary {
    fn read(text: &str) -> Self {
        let (table, _) = DeTable::parse_recoverable(text);
        let rule = table.get_ref().get("rule").and_then(|rule| rule.get_ref().as_table());
        let string = |key: &str| rule?.get(key)?.get_ref().as_str().map(str::to_owned);
        Self {
            rule_id: string("rule_id"),
            name: string("name"),
            rule_type: string("type"),
            language: string("language"),
        }
    }
}

/// A rule file that did not load: the problems, and what could be read anyway.
#[derive(Debug)]
pub struct LoadFailure {
    /// The diagnostics, with the file's text.
    pub failure: RuleFileFailure,
    /// `rule_id`, `name`, ... when they could be read.
    pub summary: RuleSummary,
}

impl RuleFile {
    /// Reads and checks the rule file at `path`.
    pub fn load(path: &Path) -> Result<Self, Box<LoadFailure>> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(name, text),
            Err(err) => Err(Box::new(LoadFailure {
                failure: RuleFileFailure {
                    source_code: NamedSource::new(name.clone(), String::new()),
                    errors: vec![RuleFileError::Read { path: name, message: err.to_string() }],
                },
                summary: RuleSummary::default(),
            })),
        }
    }

    /// Parses and checks rule-file `text`; `name` names it in diagnostics (usually its path).
    pub fn parse(
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<Self, Box<LoadFailure>> {
        let name = name.into();
        let text = text.into();
        match check_text(&text) {
            Ok(Checked { metadata, rule, mut warnings, spans }) => {
                warnings.sort_by_key(error_offset);
                Ok(Self { name, text, metadata, rule, warnings, spans })
            }
            Err(mut errors) => {
                errors.sort_by_key(error_offset);
                let summary = RuleSummary::read(&text);
                Err(Box::new(LoadFailure {
                    failure: RuleFileFailure { source_code: NamedSource::new(name, text), errors },
                    summary,
                }))
            }
        }
    }

    /// The name given at load (usually the path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The warnings found while loading, in file order.
    pub fn warnings(&self) -> &[RuleFileError] {
        &self.warnings
    }

    /// The warnings as one report against the file, or `None` when there are none.
    pub fn warning_report(&self) -> Option<RuleFileWarnings> {
        (!self.warnings.is_empty()).then(|| RuleFileWarnings {
            source_code: self.named_source(),
            warnings: self.warnings.clone(),
        })
    }

    /// Where `[rule]`, `rule_id` and `from` sit in the file.
    pub fn key_spans(&self) -> KeySpans {
        self.spans
    }

    /// detection-rules' `test_eql_lookback`: an EQL sequence whose `maxspan` (in
    /// milliseconds, `maxspan_text` as written) exceeds the rule's look-back (`from`, or
    /// Kibana's default `now-6m`) plus ten minutes can never be seen whole. Returns the error
    /// report, labelled on `from` (or on `[rule]` when `from` is not set).
    pub fn check_lookback(
        &self,
        maxspan_millis: u128,
        maxspan_text: &str,
    ) -> Option<RuleFileFailure> {
        const TOLERANCE_MILLIS: u128 = 10 * 60 * 1000;
        let lookback = self.rule.lookback();
        let lookback_millis = u128::from(lookback.as_secs()) * 1000;
        if lookback_millis + TOLERANCE_MILLIS >= maxspan_millis {
            return None;
        }
        let needed_secs = maxspan_millis.saturating_sub(TOLERANCE_MILLIS).div_ceil(1000);
        let needed_minutes = needed_secs.div_ceil(60);
        let span = self.spans.from.unwrap_or(self.spans.rule_table);
        let error = RuleFileError::LookbackTooShort {
            lookback: lookback.to_string(),
            maxspan: maxspan_text.to_owned(),
            span: span.into(),
            help: format!(
                "the look-back plus 10 minutes must cover the maxspan: set from = \"now-{needed_minutes}m\" or longer, or shorten the maxspan"
            ),
        };
        Some(RuleFileFailure { source_code: self.named_source(), errors: vec![error] })
    }

    /// The file as a miette source, named after it.
    pub fn named_source(&self) -> NamedSource<String> {
        NamedSource::new(self.name.clone(), self.text.clone())
    }

    /// The query's offset in the file (see [`crate::Query::offset`]).
    pub fn query_offset(&self) -> Option<u32> {
        self.rule.query.as_ref()?.offset
    }

    /// Moves `span`, relative to the query text, into the file; `None` when the rule has no
    /// query, the mapping is not exact, or `span` lies outside the query.
    pub fn query_span_in_file(&self, span: Span) -> Option<Span> {
        let query = self.rule.query.as_ref()?;
        let offset = query.offset?;
        let len = u32::try_from(query.text.len()).ok()?;
        (span.end <= len).then(|| span.shift(offset))
    }

    /// Wraps a diagnostic about the query (from a parser or the compiler) so that it renders
    /// against this file, at the right line and column.
    pub fn query_diagnostic<'a>(&self, diagnostic: &'a dyn Diagnostic) -> QueryDiagnostic<'a> {
        if let Some(offset) = self.query_offset() {
            return QueryDiagnostic::new(diagnostic, self.named_source(), Some(offset));
        }
        let query = self.rule.query_text().unwrap_or_default().to_owned();
        QueryDiagnostic::new(
            diagnostic,
            NamedSource::new(format!("{} (query)", self.name), query),
            None,
        )
    }
}

/// Where an error points, for sorting errors in file order.
fn error_offset(error: &RuleFileError) -> usize {
    error.labels().and_then(|mut labels| labels.next()).map_or(0, |label| label.offset())
}

/// What a successful check yields.
struct Checked {
    metadata: Metadata,
    rule: Rule,
    warnings: Vec<RuleFileError>,
    spans: KeySpans,
}

/// Parses the TOML (collecting every syntax error), reads the typed tables, and checks them.
/// On failure the errors come with any warnings found.
fn check_text(text: &str) -> Result<Checked, Vec<RuleFileError>> {
    let (table, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        return Err(syntax_errors
            .into_iter()
            .map(|err| RuleFileError::TomlSyntax {
                message: err.message().trim().to_owned(),
                span: err.span().unwrap_or(0..0).into(),
            })
            .collect());
    }
    let mut warnings = unknown_keys(table.get_ref());
    let document = RawDocument::deserialize(Deserializer::from(table)).map_err(|err| {
        vec![RuleFileError::InvalidValue {
            message: err.message().trim().to_owned(),
            span: err.span().unwrap_or(0..0).into(),
        }]
    })?;
    let Some(raw_rule) = document.rule else {
        return Err(vec![RuleFileError::MissingTable { table: "rule", span: (0..0).into() }]);
    };
    let metadata = document.metadata.map(|m| Checker::metadata(m.into_inner())).unwrap_or_default();
    let mut checker = Checker::new(text);
    let table = raw_rule.span();
    let rule = checker.rule(raw_rule.into_inner(), table);
    let spans = checker.spans;
    warnings.extend(checker.into_errors());
    match rule {
        Some(rule) => Ok(Checked { metadata, rule, warnings, spans }),
        None => Err(warnings),
    }
}
