//! Loading one rule file: TOML with spans, then the shape checks.

use std::path::Path;

use miette::{Diagnostic, NamedSource};
use rule_span::Span;
use serde::Deserialize;
use toml::de::{DeTable, Deserializer};

use crate::check::Checker;
use crate::error::{RuleFileError, RuleFileFailure};
use crate::model::{Metadata, Rule};
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
            Ok((metadata, rule)) => Ok(Self { name, text, metadata, rule }),
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

/// Parses the TOML (collecting every syntax error), reads the typed tables, and checks them.
fn check_text(text: &str) -> Result<(Metadata, Rule), Vec<RuleFileError>> {
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
    match rule {
        Some(rule) => Ok((metadata, rule)),
        None => Err(checker.into_errors()),
    }
}
