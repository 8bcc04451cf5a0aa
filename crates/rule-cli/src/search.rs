//! `warden query`: one query over events, answered like Elasticsearch's EQL search API by
//! `rule_engine::search`: event queries (KQL too, with or without `| head` / `| tail`) as hits
//! (`{"_index","_id","_source"}`, oldest first), sequences and samples as
//! `{"join_keys": [...], "events": [hits]}`, one per line.

use std::io::{self, Write};

use miette::NamedSource;
use rule_compiler::Compiler;
use rule_engine::{Hit, Limits, QueryOptions, QueryOutput, QueryResults, ResultPosition, search};
use rule_model::{Language, QueryDiagnostic};
use serde_json::Value;

use crate::args::{OutputFormat, QueryArgs, QueryLanguage, ResultPositionArg};
use crate::compile::compile_for_search;
use crate::events::open_inputs;
use crate::output::{TableStyle, write_hits};
use crate::query::{QueryOutcome, parse_query};
use crate::report::Style;
use crate::schema::Schemas;
use crate::{ExitStatus, UsageError};

/// Runs `query`: hits to `out`, diagnostics and counts to `err`.
pub(crate) fn query(
    args: &QueryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, UsageError> {
    let style = Style::for_stderr();
    let language = match args.language {
        QueryLanguage::Eql => Language::Eql,
        QueryLanguage::Kuery => Language::Kuery,
    };
    let syntax = match parse_query(language, &args.query) {
        QueryOutcome::Parsed(syntax) => syntax,
        QueryOutcome::Invalid(diagnostic) => {
            write!(err, "{}", style.render(diagnostic.as_ref())).map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
        QueryOutcome::NotSupported(language) => {
            writeln!(err, "error: {language} queries are not supported")
                .map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
    };
    // Field types: the built-in ECS schema, with the tables of the `--index` name if given,
    // and every `--schema`.
    let mut schemas = Schemas::load(&args.schema)?;
    let target = schemas.search_target(args.index.as_deref(), &args.event_category_field);
    let mut compiler = Compiler::new();
    let eql = match compile_for_search(&syntax, target, &mut compiler) {
        Ok((eql, warnings)) => {
            if !warnings.is_empty() {
                let source = NamedSource::new("query", args.query.clone());
                write!(err, "{}", style.render(&QueryDiagnostic::new(&warnings, source, Some(0))))
                    .map_err(UsageError::Output)?;
            }
            eql
        }
        Err(errors) => {
            let source = NamedSource::new("query", args.query.clone());
            write!(err, "{}", style.render(&QueryDiagnostic::new(&errors, source, Some(0))))
                .map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let options = QueryOptions {
        size: args.size,
        timestamp_field: args.timestamp_field.clone(),
        tiebreaker_field: args.tiebreaker_field.clone(),
        result_position: match args.result_position {
            ResultPositionArg::Head => ResultPosition::Head,
            ResultPositionArg::Tail => ResultPosition::Tail,
        },
        default_index: args.index.clone(),
        max_samples_per_key: args.max_samples_per_key,
        limits: Limits::default(),
    };
    let events = open_inputs(&args.events)?;
    let output = match search(compiler.fields(), &eql.plan, &eql.pipes, &options, events) {
        Ok(output) => output,
        Err(error) => {
            write!(err, "{}", style.render(&error)).map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
    };
    write_output(&output, &options, args.format, out, err).map_err(UsageError::Output)?;
    Ok(ExitStatus::Success)
}

/// The results on `out`; warnings and counts on `err`.
fn write_output(
    output: &QueryOutput,
    options: &QueryOptions,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match &output.results {
        QueryResults::Hits(hits) => write_hits(hits, format, TableStyle::for_stdout(), out)?,
        QueryResults::Joined(results) => write_results(results, format, out)?,
    }
    for malformed in &output.malformed_lines {
        writeln!(err, "warning: {malformed}")?;
    }
    if output.without_timestamp > 0 {
        writeln!(
            err,
            "warning: {} matching event(s) without a usable {} were left out",
            output.without_timestamp, options.timestamp_field
        )?;
    }
    if output.summary.evicted > 0 {
        writeln!(
            err,
            "warning: {} pending sequence(s) or sample key(s) dropped at the state limits",
            output.summary.evicted
        )?;
    }
    match &output.results {
        QueryResults::Hits(hits) => writeln!(
            err,
            "{} event(s) read, {} matched, {} hit(s)",
            output.events_read,
            output.matched,
            hits.len()
        ),
        QueryResults::Joined(results) => writeln!(
            err,
            "{} event(s) read, {} matched a term, {} result(s)",
            output.events_read,
            output.matched,
            results.len()
        ),
    }
}

/// Sequences or samples in `format`: one per line, one JSON array, or a table of their
/// events (a missing-event placeholder shows with an empty index and id).
fn write_results(results: &[Value], format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Ndjson => {
            for result in results {
                serde_json::to_writer(&mut *out, result).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Ok(())
        }
        OutputFormat::Json => {
            serde_json::to_writer(&mut *out, results).map_err(io::Error::other)?;
            writeln!(out)
        }
        OutputFormat::Table => {
            let hits: Vec<Hit> = results
                .iter()
                .flat_map(|result| result["events"].as_array().into_iter().flatten())
                .map(|hit| Hit {
                    index: hit["_index"].as_str().unwrap_or_default().to_owned(),
                    id: hit["_id"].as_str().unwrap_or_default().to_owned(),
                    source: hit["_source"].clone(),
                })
                .collect();
            write_hits(&hits, format, TableStyle::for_stdout(), out)
        }
    }
}
