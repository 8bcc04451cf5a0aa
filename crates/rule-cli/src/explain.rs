//! `warden explain`: how warden reads a rule or a query: plain English, syntax tree,
//! bytecode, the fields and indices it reads (typed by the schema of its indices), and with
//! `--event FILE` a trace of the query over each event.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use field_schema::{FieldType, Schema};
use miette::{Diagnostic, NamedSource};
use rule_compiler::CompileWarning;
use rule_model::{Language, QueryDiagnostic, Rule, RuleFile, RuleType};

use crate::args::{ExplainArgs, QueryLanguage};
use crate::compile::{Compiled, Target, compile};
use crate::event_trace::TracedEvents;
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::query_checks::{QueryWarning, QueryWarnings};
use crate::report::Style;
use crate::schema::Schemas;
use crate::{ExitStatus, UsageError, english, tree};

/// Runs `explain`, writing to `out`.
pub(crate) fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<ExitStatus, UsageError> {
    let style = Style::for_stdout();
    let mut schemas = Schemas::load(&args.schema)?;
    let events =
        args.event.as_deref().map(|path| TracedEvents::read(path, args.limit)).transpose()?;
    let events = events.as_ref();
    let status = match args.language {
        Some(language) => {
            let language = match language {
                QueryLanguage::Eql => Language::Eql,
                QueryLanguage::Kuery => Language::Kuery,
            };
            let query = Explained { text: &args.target, place: Place::Text, indices: &[], events };
            explain_query(language, &query, &mut schemas, style, out)
        }
        None => explain_rule(Path::new(&args.target), events, &mut schemas, style, out)?,
    };
    status.map_err(UsageError::Output)
}

/// A query to explain and where it came from.
struct Explained<'a> {
    /// The query text.
    text: &'a str,
    /// Where its diagnostics are placed.
    place: Place<'a>,
    /// The index patterns it searches (none for query text).
    indices: &'a [String],
    /// Events to trace it over (`--event`).
    events: Option<&'a TracedEvents>,
}

/// Where a query's diagnostics are placed.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// In its rule file.
    Rule(&'a RuleFile),
    /// In the query text given on the command line.
    Text,
}

impl Explained<'_> {
    fn write_diagnostic(
        &self,
        style: Style,
        out: &mut dyn Write,
        diagnostic: &dyn Diagnostic,
    ) -> io::Result<()> {
        match self.place {
            Place::Rule(file) => style.write(out, &file.query_diagnostic(diagnostic)),
            Place::Text => {
                let source = NamedSource::new("query", self.text.to_owned());
                style.write(out, &QueryDiagnostic::new(diagnostic, source, Some(0)))
            }
        }
    }

    /// The category field and schema the query compiles with.
    fn target<'s>(&self, schemas: &'s mut Schemas) -> Target<'s>
    where
        Self: 's,
    {
        let category_field = match self.place {
            Place::Rule(file) => file.rule.event_category_override.as_deref(),
            Place::Text => None,
        };
        schemas.target(self.indices, category_field)
    }
}

fn explain_query(
    language: Language,
    query: &Explained<'_>,
    schemas: &mut Schemas,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<ExitStatus> {
    match parse_query(language, query.text) {
        QueryOutcome::Parsed(parsed) => {
            if let Place::Rule(_) = query.place {
                writeln!(out)?;
            }
            let target = query.target(schemas);
            let compiled = compile(&parsed, target);
            let notes = compiled.as_ref().map_or_else(
                |_| String::new(),
                |compiled| constant_notes(&compiled.warnings, query.text),
            );
            write!(out, "{}", query_sections(&parsed, &notes))?;
            match compiled {
                Ok(compiled) => {
                    write!(out, "{}", bytecode_section(&compiled))?;
                    write!(out, "{}", reads_section(&compiled, query.indices, target.schema))?;
                    if !compiled.warnings.is_empty() {
                        query.write_diagnostic(style, out, &compiled.warnings)?;
                    }
                    if let Some(events) = query.events {
                        write!(out, "{}", events.section(&compiled, query.text))?;
                    }
                    Ok(ExitStatus::Success)
                }
                Err(errors) => {
                    query.write_diagnostic(style, out, &errors)?;
                    Ok(ExitStatus::Failure)
                }
            }
        }
        QueryOutcome::Invalid(diagnostic) => {
            match query.place {
                Place::Rule(_) => query.write_diagnostic(style, out, diagnostic.as_ref())?,
                Place::Text => style.write(out, diagnostic.as_ref())?,
            }
            Ok(ExitStatus::Failure)
        }
        QueryOutcome::NotSupported(language) => {
            match query.place {
                Place::Rule(_) => {
                    writeln!(out, "Its {language} query is not supported by warden.")?;
                }
                Place::Text => writeln!(out, "{language} queries are not supported by warden")?,
            }
            Ok(ExitStatus::Success)
        }
    }
}

fn explain_rule(
    path: &Path,
    events: Option<&TracedEvents>,
    schemas: &mut Schemas,
    style: Style,
    out: &mut dyn Write,
) -> Result<io::Result<ExitStatus>, UsageError> {
    if !path.is_file() {
        return Err(UsageError::Path {
            path: path.to_owned(),
            message: "no such rule file".into(),
        });
    }
    let file = match RuleFile::load(path) {
        Ok(file) => file,
        Err(failure) => {
            return Ok(style.write(out, &failure.failure).map(|()| ExitStatus::Failure));
        }
    };
    Ok(write_rule(&file, events, schemas, style, out))
}

fn write_rule(
    file: &RuleFile,
    events: Option<&TracedEvents>,
    schemas: &mut Schemas,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let rule = &file.rule;
    write!(out, "== Rule ==\n{}", rule_reading(rule))?;
    let (Some(language), Some(query)) = (rule.language, &rule.query) else {
        writeln!(out, "The rule has no query.")?;
        return Ok(ExitStatus::Success);
    };
    let query =
        Explained { text: &query.text, place: Place::Rule(file), indices: &rule.index, events };
    explain_query(language, &query, schemas, style, out)
}

/// The query's English reading (then `notes`) and syntax tree.
fn query_sections(query: &ParsedQuery, notes: &str) -> String {
    let (reading, tree) = match query {
        ParsedQuery::Eql(query) => (english::eql_query(query), tree::eql_tree(query)),
        ParsedQuery::Kql(query) => (english::kql_query(query), tree::kql_tree(query)),
    };
    format!(
        "== Query, in plain English ==\n{reading}{notes}\n== Syntax tree (spans are byte offsets in the query) ==\n{tree}"
    )
}

/// One line per query or term whose condition folds to a constant (`compile::never_matches`,
/// `compile::always_matches`), quoting the part that folds.
fn constant_notes(warnings: &QueryWarnings, text: &str) -> String {
    let mut notes = String::new();
    for warning in &warnings.warnings {
        let QueryWarning::Compile(warning) = warning else { continue };
        let (what, part, span) = match warning {
            CompileWarning::NeverMatches { term, part, span } => {
                (format!("{term} never matches"), part, span)
            }
            CompileWarning::AlwaysMatches { term, events, part, span } => {
                (format!("{term} matches every {events}"), part, span)
            }
            _ => continue,
        };
        let quoted = text.get(span.start as usize..span.end as usize).unwrap_or_default();
        let mut quoted = quoted.split_whitespace().collect::<Vec<_>>().join(" ");
        if quoted.chars().count() > 60 {
            quoted = quoted.chars().take(59).chain(['…']).collect();
        }
        let _ = writeln!(notes, "Note: {what}, because `{quoted}` is always {part}.");
    }
    notes
}

/// The bytecode listing section.
fn bytecode_section(compiled: &Compiled) -> String {
    format!("\n== Bytecode (each instruction with its query span) ==\n{}", compiled.listing())
}

/// The indices searched and every field the programs read, with its type in `schema`.
fn reads_section(compiled: &Compiled, indices: &[String], schema: &Schema) -> String {
    let mut text = String::from("\n== Fields and indices it reads ==\n");
    if indices.is_empty() {
        text.push_str("indices: not limited (no index patterns)\n");
    } else {
        let _ = writeln!(text, "indices: {}", indices.join(", "));
    }
    let mut fields: Vec<&str> = compiled.fields().iter().map(|(_, name)| name).collect();
    fields.sort_unstable();
    let width = fields.iter().map(|name| name.len()).max().unwrap_or(0);
    let _ = writeln!(text, "fields ({}):", fields.len());
    for name in fields {
        let ty = schema.field_type(name).map_or("unknown: no schema maps it", FieldType::es_name);
        let _ = writeln!(text, "  {name:width$}  {ty}");
    }
    text
}

/// What the rule does, as Kibana would run it.
pub(crate) fn rule_reading(rule: &Rule) -> String {
    let mut text = String::new();
    let language = rule.language.map(|l| format!(", language {l}")).unwrap_or_default();
    let _ = writeln!(
        text,
        "{:?} ({}) is a rule of type {}{language}, severity {}, risk score {}.",
        rule.name, rule.rule_id, rule.rule_type, rule.severity, rule.risk_score
    );
    let default = |set: bool| if set { "" } else { " (Kibana's default)" };
    let _ = write!(
        text,
        "Every {}{} it searches the last {}{} of ",
        rule.schedule(),
        default(rule.interval.is_some()),
        rule.lookback(),
        default(rule.from.is_some()),
    );
    if rule.index.is_empty() {
        let _ = writeln!(text, "the default indices.");
    } else {
        let _ = writeln!(text, "{}.", rule.index.join(", "));
    }
    if let Some(field) = &rule.timestamp_override {
        let _ = writeln!(text, "It takes the event time from {field} instead of @timestamp.");
    }
    let _ = writeln!(text, "{}", alert_reading(rule));
    let _ = writeln!(
        text,
        "At most {} alerts per run{}.",
        rule.alerts_per_run(),
        default(rule.max_signals.is_some())
    );
    text
}

fn alert_reading(rule: &Rule) -> String {
    match rule.rule_type {
        RuleType::NewTerms => match &rule.new_terms {
            Some(new_terms) => format!(
                "A matching event raises an alert when its combination of {} was not seen in any matching event from {} to the start of the searched window (a history of up to {}).",
                new_terms.fields.join(" + "),
                new_terms.history_window_start,
                new_terms.history_window
            ),
            None => "A matching event raises an alert when its terms are new.".to_owned(),
        },
        RuleType::Threshold => match &rule.threshold {
            Some(threshold) => {
                let group = if threshold.fields.is_empty() {
                    "All matching events form one group".to_owned()
                } else {
                    format!("Matching events are grouped by {}", threshold.fields.join(", "))
                };
                format!("{group}; a group of at least {} events raises one alert.", threshold.value)
            }
            None => "Groups of matching events raise alerts.".to_owned(),
        },
        RuleType::Eql => "Each matching event (or completed sequence) raises one alert.".to_owned(),
        RuleType::MachineLearning => format!(
            "Anomalies of the ML job(s) {} above score {} raise alerts.",
            rule.machine_learning_job_id.join(", "),
            rule.anomaly_threshold.unwrap_or_default()
        ),
        _ => "Each matching event raises one alert.".to_owned(),
    }
}
