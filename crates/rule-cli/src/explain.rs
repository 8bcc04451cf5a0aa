//! `warden explain`: how warden reads a rule or a query: plain English, syntax tree, bytecode.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use miette::NamedSource;
use rule_model::{Language, QueryDiagnostic, Rule, RuleFile, RuleType};

use crate::args::{ExplainArgs, QueryLanguage};
use crate::compile::{Compiled, compile};
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::report::Style;
use crate::{ExitStatus, UsageError, english, tree};

/// Runs `explain`, writing to `out`.
pub(crate) fn explain(args: &ExplainArgs, out: &mut dyn Write) -> Result<ExitStatus, UsageError> {
    let style = Style::for_stdout();
    let status = match args.language {
        Some(language) => explain_query(language, &args.target, style, out),
        None => explain_rule(Path::new(&args.target), style, out)?,
    };
    status.map_err(UsageError::Output)
}

fn explain_query(
    language: QueryLanguage,
    text: &str,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let language = match language {
        QueryLanguage::Eql => Language::Eql,
        QueryLanguage::Kuery => Language::Kuery,
    };
    match parse_query(language, text) {
        QueryOutcome::Parsed(query) => {
            write!(out, "{}", query_sections(&query))?;
            match compile(&query, None) {
                Ok(compiled) => {
                    write!(out, "{}", bytecode_section(&compiled))?;
                    Ok(ExitStatus::Success)
                }
                Err(errors) => {
                    let source = NamedSource::new("query", text.to_owned());
                    style.write(out, &QueryDiagnostic::new(&errors, source, Some(0)))?;
                    Ok(ExitStatus::Failure)
                }
            }
        }
        QueryOutcome::Invalid(diagnostic) => {
            style.write(out, diagnostic.as_ref())?;
            Ok(ExitStatus::Failure)
        }
        QueryOutcome::NotSupported(language) => {
            writeln!(out, "{language} queries are not supported by warden")?;
            Ok(ExitStatus::Success)
        }
    }
}

fn explain_rule(
    path: &Path,
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
    Ok(write_rule(&file, style, out))
}

fn write_rule(file: &RuleFile, style: Style, out: &mut dyn Write) -> io::Result<ExitStatus> {
    let rule = &file.rule;
    write!(out, "== Rule ==\n{}", rule_reading(rule))?;
    let (Some(language), Some(query)) = (rule.language, &rule.query) else {
        writeln!(out, "The rule has no query.")?;
        return Ok(ExitStatus::Success);
    };
    match parse_query(language, &query.text) {
        QueryOutcome::Parsed(parsed) => {
            write!(out, "\n{}", query_sections(&parsed))?;
            match compile(&parsed, rule.event_category_override.as_deref()) {
                Ok(compiled) => {
                    write!(out, "{}", bytecode_section(&compiled))?;
                    Ok(ExitStatus::Success)
                }
                Err(errors) => {
                    style.write(out, &file.query_diagnostic(&errors))?;
                    Ok(ExitStatus::Failure)
                }
            }
        }
        QueryOutcome::Invalid(diagnostic) => {
            style.write(out, &file.query_diagnostic(diagnostic.as_ref()))?;
            Ok(ExitStatus::Failure)
        }
        QueryOutcome::NotSupported(language) => {
            writeln!(out, "Its {language} query is not supported by warden.")?;
            Ok(ExitStatus::Success)
        }
    }
}

/// The query's English reading and syntax tree.
fn query_sections(query: &ParsedQuery) -> String {
    let (reading, tree) = match query {
        ParsedQuery::Eql(query) => (english::eql_query(query), tree::eql_tree(query)),
        ParsedQuery::Kql(query) => (english::kql_query(query), tree::kql_tree(query)),
    };
    format!(
        "== Query, in plain English ==\n{reading}\n== Syntax tree (spans are byte offsets in the query) ==\n{tree}"
    )
}

/// The bytecode listing section.
fn bytecode_section(compiled: &Compiled) -> String {
    format!("\n== Bytecode (each instruction with its query span) ==\n{}", compiled.listing())
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
