//! `warden query`: one query over events, answered like Elasticsearch's EQL search API:
//! event queries as hits (`{"_index","_id","_source"}`, oldest first), sequences and samples
//! (and event queries with `| head` / `| tail`) as `{"join_keys": [...], "events": [hits]}`,
//! one per line.

use std::io::{self, Write};

use miette::NamedSource;
use rule_compiler::{CompiledEql, Compiler, EqlOptions, EqlPlan, SchemaOptions};
use rule_engine::{
    CompiledQuery, EventCategory, Hit, Limits, QueryOptions, ResultPosition, search, search_joined,
};
use rule_model::{Language, QueryDiagnostic};
use rule_vm::Program;
use serde_json::Value;

use crate::args::{OutputFormat, QueryArgs, QueryLanguage, ResultPositionArg};
use crate::compile::{Target, compile_for_engine};
use crate::events::open_inputs;
use crate::output::{TableStyle, write_hits};
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::query_checks::{QueryError, QueryErrors};
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
    // Field types: the built-in ECS schema, with the tables of the `--index` name if given.
    let mut schemas = Schemas::load(args.schema.as_deref())?;
    let patterns: Vec<&str> = args.index.as_deref().into_iter().collect();
    let target = Target {
        category_field: Some(&args.event_category_field),
        schema: schemas.for_patterns(&patterns),
    };
    let mut compiler = Compiler::new();
    let runnable = match compile_for_engine(&syntax, target, &mut compiler) {
        Ok(Ok((query, warnings))) => {
            if !warnings.is_empty() {
                let source = NamedSource::new("query", args.query.clone());
                write!(err, "{}", style.render(&QueryDiagnostic::new(&warnings, source, Some(0))))
                    .map_err(UsageError::Output)?;
            }
            Ok(Search::from_engine(query))
        }
        // Samples and pipes are not rule shapes; the sequence engine answers them.
        Ok(Err(shape)) => match &*syntax {
            ParsedQuery::Eql(query) => {
                let options = EqlOptions { category_field: args.event_category_field.clone() };
                let types =
                    SchemaOptions { schema: Some(target.schema), ..SchemaOptions::default() };
                compiler.compile_eql_typed(query, &options, &types).map(Search::Joined).map_err(
                    |errors| QueryErrors {
                        errors: errors.errors.into_iter().map(QueryError::Compile).collect(),
                    },
                )
            }
            ParsedQuery::Kql(_) => {
                writeln!(err, "error: {shape}").map_err(UsageError::Output)?;
                return Ok(ExitStatus::Failure);
            }
        },
        Err(errors) => Err(errors),
    };
    let runnable = match runnable {
        Ok(query) => query,
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
        event_category_field: args.event_category_field.clone(),
        result_position: match args.result_position {
            ResultPositionArg::Head => ResultPosition::Head,
            ResultPositionArg::Tail => ResultPosition::Tail,
        },
        default_index: args.index.clone(),
        max_samples_per_key: args.max_samples_per_key,
        limits: Limits::default(),
    };
    let events = open_inputs(&args.events)?;
    let (program, category) = match runnable {
        Search::Events(program, category) => (program, category),
        Search::Joined(query) => {
            return search_sequences(compiler.fields(), &query, &options, events, args, out, err);
        }
    };
    let output = search(compiler.fields(), &program, &category, &options, events);
    let written: io::Result<()> = (|| {
        write_hits(&output.hits, args.format, TableStyle::for_stdout(), out)?;
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
        writeln!(
            err,
            "{} event(s) read, {} matched, {} hit(s)",
            output.events_read,
            output.matched,
            output.hits.len()
        )
    })();
    written.map_err(UsageError::Output)?;
    Ok(ExitStatus::Success)
}

/// How a query is answered.
enum Search {
    /// Streaming, keeping only the matches: a KQL query or an EQL event query.
    Events(Program, EventCategory),
    /// Through the sequence engine: sequences, samples, and event queries with pipes.
    Joined(CompiledEql),
}

impl Search {
    /// An event query streams; a sequence (without pipes: those are not rule shapes) goes to
    /// the sequence engine.
    fn from_engine(query: CompiledQuery) -> Self {
        match query {
            CompiledQuery::Event { program, category } => Search::Events(program, category),
            CompiledQuery::Sequence(plan) => Search::Joined(CompiledEql {
                plan: EqlPlan::Sequence(std::sync::Arc::unwrap_or_clone(plan)),
                pipes: Vec::new(),
                warnings: Vec::new(),
            }),
        }
    }
}

/// Answers a sequence or sample query (or a piped event query): one result per line.
fn search_sequences(
    fields: &rule_vm::FieldTable,
    query: &CompiledEql,
    options: &QueryOptions,
    events: impl IntoIterator<Item = Result<event_input::InputEvent, event_input::MalformedLine>>,
    args: &QueryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, UsageError> {
    let output = match search_joined(fields, &query.plan, &query.pipes, options, events) {
        Ok(output) => output,
        Err(error) => {
            let style = Style::for_stderr();
            write!(err, "{}", style.render(&error)).map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let written: io::Result<()> = (|| {
        write_results(&output.results, args.format, out)?;
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
        writeln!(
            err,
            "{} event(s) read, {} matched a term, {} result(s)",
            output.events_read,
            output.matched,
            output.results.len()
        )
    })();
    written.map_err(UsageError::Output)?;
    Ok(ExitStatus::Success)
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
