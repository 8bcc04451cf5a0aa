//! `warden query`: one query over events, answered like Elasticsearch's EQL search API
//! (hits as `{"_index","_id","_source"}` lines, oldest first).

use std::io::{self, Write};

use miette::NamedSource;
use rule_compiler::Compiler;
use rule_engine::{QueryOptions, ResultPosition, search};
use rule_model::{Language, QueryDiagnostic};

use crate::args::{QueryArgs, QueryLanguage, ResultPositionArg};
use crate::compile::{Target, compile_for_engine};
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
            query
        }
        Ok(Err(shape)) => {
            writeln!(err, "error: {shape}").map_err(UsageError::Output)?;
            return Ok(ExitStatus::Failure);
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
        event_category_field: args.event_category_field.clone(),
        result_position: match args.result_position {
            ResultPositionArg::Head => ResultPosition::Head,
            ResultPositionArg::Tail => ResultPosition::Tail,
        },
        default_index: args.index.clone(),
    };
    let events = open_inputs(&args.events)?;
    let output = search(compiler.fields(), &runnable, &options, events);
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
