//! `warden run`: loads rules, compiles them into one engine, streams events through it and
//! prints the alerts (one Kibana alert document per line) and a summary.

use std::io::{self, Write};
use std::path::Path;

use rule_compiler::Compiler;
use rule_engine::{CompiledQuery, Engine, EngineOptions, Limits, RunOutput, SequenceOptions};
use rule_model::{Rule, RuleFile};

use crate::args::RunArgs;
use crate::compile::compile_for_engine;
use crate::events::open_inputs;
use crate::output::{TableStyle, write_alerts};
use crate::query::{QueryOutcome, parse_query};
use crate::report::Style;
use crate::rule_paths::rule_paths;
use crate::run_state::run_with_state;
use crate::schema::Schemas;
use crate::{ExitStatus, UsageError};

/// Runs `run`: alerts to `out`, diagnostics and the summary to `err`.
pub(crate) fn run(
    args: &RunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, UsageError> {
    let paths = rule_paths(&args.rules)?;
    let events = open_inputs(&args.events)?;
    let limits = Limits {
        max_pending_sequences: args.max_pending_sequences,
        max_keys: args.max_sequence_keys,
    };
    let options = EngineOptions {
        default_index: args.index.clone(),
        sequences: SequenceOptions { limits, reorder_window: args.reorder_window },
        now: args.now,
        ..EngineOptions::default()
    };
    let style = Style::for_stderr();
    let mut schemas = Schemas::load(&args.schema)?;
    let mut compiler = Compiler::new();
    let mut rules: Vec<(Rule, CompiledQuery)> = Vec::new();
    let mut rejected = 0usize;
    let mut invalid = 0usize;
    for path in &paths {
        match prepare(path, &mut compiler, &mut schemas, &options, style) {
            Ok(prepared) => rules.push(prepared),
            Err(rejection) => {
                rejected += 1;
                if let Rejection::Invalid(_) = rejection {
                    invalid += 1;
                }
                write!(err, "{}", rejection.report()).map_err(UsageError::Output)?;
            }
        }
    }
    if rules.is_empty() {
        writeln!(
            err,
            "error: no rule to run ({} rule file(s) given, {rejected} rejected)",
            paths.len()
        )
        .map_err(UsageError::Output)?;
        return Ok(ExitStatus::Failure);
    }
    let mut engine = match Engine::new(compiler.into_fields(), rules, options) {
        Ok(engine) => engine,
        Err(error) => {
            writeln!(err, "{}", style.render(&error)).map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let output = if let Some(dir) = &args.state {
        match run_with_state(engine, dir, events, args.format, out, err)? {
            Some(output) => output,
            None => return Ok(ExitStatus::Failure),
        }
    } else {
        let output = engine.run(events);
        write_alerts(&output.alerts, args.format, TableStyle::for_stdout(), out)
            .map_err(UsageError::Output)?;
        output
    };
    write_summary(&output, err).map_err(UsageError::Output)?;
    Ok(if invalid == 0 { ExitStatus::Success } else { ExitStatus::Failure })
}

/// Why a rule is not run, with the report to print.
pub(crate) enum Rejection {
    /// The rule file, its query or its compilation has errors (exit code 1).
    Invalid(String),
    /// Valid, but of a kind the engine does not run (reported, not an error).
    Skipped(String),
}

impl Rejection {
    pub(crate) fn report(&self) -> &str {
        match self {
            Self::Invalid(report) | Self::Skipped(report) => report,
        }
    }
}

/// Loads, parses and compiles one rule (typed by the schema of its index patterns) and
/// checks the engine can run it.
pub(crate) fn prepare(
    path: &Path,
    compiler: &mut Compiler,
    schemas: &mut Schemas,
    options: &EngineOptions,
    style: Style,
) -> Result<(Rule, CompiledQuery), Rejection> {
    let file = RuleFile::load(path)
        .map_err(|failure| Rejection::Invalid(style.render(&failure.failure)))?;
    let rule = &file.rule;
    let skipped = |why: &str| Rejection::Skipped(format!("skipped: {} ({why})\n", path.display()));
    let (Some(language), Some(query)) = (rule.language, &rule.query) else {
        return Err(skipped(&format!("{} rules have no query warden can run", rule.rule_type)));
    };
    let syntax = match parse_query(language, &query.text) {
        QueryOutcome::Parsed(syntax) => syntax,
        QueryOutcome::Invalid(diagnostic) => {
            return Err(Rejection::Invalid(
                style.render(&file.query_diagnostic(diagnostic.as_ref())),
            ));
        }
        QueryOutcome::NotSupported(language) => {
            return Err(skipped(&format!("{language} queries are not supported")));
        }
    };
    let target = schemas.target(&rule.index, rule.event_category_override.as_deref());
    let (runnable, _warnings) = compile_for_engine(&syntax, target, compiler)
        .map_err(|errors| Rejection::Invalid(style.render(&file.query_diagnostic(&errors))))?
        .map_err(|problem| skipped(&problem))?;
    // The engine refuses some rule types and shapes; find out for this rule alone, so that
    // one unsupported rule does not stop the others.
    Engine::new(compiler.fields().clone(), vec![(rule.clone(), runnable.clone())], options.clone())
        .map_err(|error| skipped(&error.to_string()))?;
    Ok((file.rule, runnable))
}

fn write_summary(output: &RunOutput, err: &mut dyn Write) -> io::Result<()> {
    let summary = &output.summary;
    for malformed in &summary.malformed_lines {
        writeln!(err, "warning: {malformed}")?;
    }
    for warning in &summary.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    for rule in &summary.rules {
        write!(err, "{}: {} matched, {} alert(s)", rule.name, rule.matched, rule.alerts)?;
        match &rule.sequences {
            Some(counts) => writeln!(
                err,
                ", {} sequence(s) ({} expired by maxspan, {} dropped at limits)",
                counts.matcher.completed, counts.matcher.expired_by_maxspan, counts.matcher.evicted
            )?,
            None => writeln!(err)?,
        }
    }
    if summary.peak_held_events > 0 {
        writeln!(err, "sequence rules held at most {} event(s) at once", summary.peak_held_events)?;
    }
    writeln!(err, "{} event(s) read, {} alert(s)", summary.events_read, output.alerts.len())
}
