//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use field_schema::IndexPatterns;

/// Warden: run Elastic detection rules (EQL and KQL) locally.
#[derive(Debug, Parser)]
#[command(name = "warden", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rule files: TOML shape, query syntax, compilation.
    Validate(ValidateArgs),
    /// Show how a rule or query is read: syntax tree, bytecode, plain English.
    Explain(ExplainArgs),
    /// Run rules over events and print the alerts.
    Run(RunArgs),
    /// Search events with one query, like Elasticsearch's EQL search API.
    Query(QueryArgs),
    /// Run rule unit tests: the `<rule>.test.toml` files beside the rules.
    Test(TestArgs),
    /// Rewrite rule files' queries in the canonical layout.
    Fmt(FmtArgs),
}

/// `warden fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Report the files that would change, without writing them (exit code 1 if any).
    #[arg(long)]
    pub check: bool,
    /// Rule files, or folders searched recursively for `*.toml`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// How `validate` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable reports with the offending source lines.
    #[default]
    Text,
    /// One JSON object per rule per line.
    Json,
    /// One SARIF 2.1.0 log, for code-review tools.
    Sarif,
}

/// `warden validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Field types laid over the built-in ones (ECS, Elastic Defend, the index patterns'
    /// tables): an Elasticsearch mapping JSON or a flat `{"field": "type"}` object. Repeat it
    /// for several; `INDEX_PATTERN=FILE` is the mapping of the indices the pattern selects
    /// (Elasticsearch has one mapping per index), a plain `FILE` applies to every index.
    #[arg(long, value_name = "[INDEX_PATTERN=]FILE", value_parser = parse_schema)]
    pub schema: Vec<SchemaArg>,
    /// Rule files, or folders searched recursively for `*.toml`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// The query language of `explain --language`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QueryLanguage {
    /// EQL.
    Eql,
    /// KQL (Kibana calls it `kuery`).
    #[value(alias = "kql")]
    Kuery,
}

/// `warden explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Read the argument as query text in this language instead of as a rule file.
    #[arg(long, value_enum)]
    pub language: Option<QueryLanguage>,
    /// A rule file, or the query text with `--language`.
    #[arg(value_name = "RULE_OR_QUERY")]
    pub target: String,
    /// Trace the query over the events of this file (NDJSON or a JSON array of events or
    /// hits): which predicates ran, the values they read, and which one decided.
    #[arg(long, value_name = "FILE")]
    pub event: Option<PathBuf>,
    /// Most events traced from `--event`.
    #[arg(long, default_value_t = 10, value_name = "N", requires = "event")]
    pub limit: usize,
    /// Field types laid over the built-in ones (ECS, Elastic Defend, the index patterns'
    /// tables): an Elasticsearch mapping JSON or a flat `{"field": "type"}` object. Repeat it
    /// for several; `INDEX_PATTERN=FILE` is the mapping of the indices the pattern selects
    /// (Elasticsearch has one mapping per index), a plain `FILE` applies to every index.
    #[arg(long, value_name = "[INDEX_PATTERN=]FILE", value_parser = parse_schema)]
    pub schema: Vec<SchemaArg>,
}

/// `warden run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Rule files or folders.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Event files: NDJSON or JSON arrays of events or search hits, plain, gzip or zstd
    /// (`-` for standard input); standard input when none is given.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub events: Vec<PathBuf>,
    /// Index name for events that carry none (no `_index`, no `data_stream.*`).
    #[arg(long, value_name = "NAME")]
    pub index: Option<String>,
    /// How alerts are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Ndjson)]
    pub format: OutputFormat,
    /// Field types laid over the built-in ones (ECS, Elastic Defend, the index patterns'
    /// tables): an Elasticsearch mapping JSON or a flat `{"field": "type"}` object. Repeat it
    /// for several; `INDEX_PATTERN=FILE` is the mapping of the indices the pattern selects
    /// (Elasticsearch has one mapping per index), a plain `FILE` applies to every index.
    #[arg(long, value_name = "[INDEX_PATTERN=]FILE", value_parser = parse_schema)]
    pub schema: Vec<SchemaArg>,
    /// Sequence rules: most pending sequences per rule (the oldest are dropped, and counted).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub max_pending_sequences: usize,
    /// Sequence rules: most join-key values with pending sequences per rule.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub max_sequence_keys: usize,
    /// Sequence rules: events held per rule to put unordered input into time order.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub reorder_window: usize,
    /// Keep detection state across runs in this directory (created if missing):
    /// `new_terms` histories, pending sequences, threshold histories, suppression windows and
    /// the alerts already reported, so that
    /// consecutive runs over consecutive events raise what one run over all of them would.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// The last rule execution (RFC 3339, or epoch milliseconds): executions run every
    /// `interval` up to it; events after it are not searched. Default: executions on
    /// multiples of each rule's interval, the last at or after the latest event.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<rule_engine::EventTime>,
}

/// One `--schema`: a mapping file, and the indices it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaArg {
    /// The indices the mapping is theirs (`INDEX_PATTERN=`); every index when `None`.
    pub indices: Option<IndexPatterns>,
    /// The mapping file.
    pub path: PathBuf,
}

/// `--schema [INDEX_PATTERN=]FILE`. The text before the first `=` is an index pattern unless
/// it holds a path separator, which index names cannot (`./a=b.json` is a file).
fn parse_schema(text: &str) -> Result<SchemaArg, String> {
    let Some((pattern, path)) =
        text.split_once('=').filter(|(pattern, _)| !pattern.contains(['/', '\\']))
    else {
        return Ok(SchemaArg { indices: None, path: PathBuf::from(text) });
    };
    if path.is_empty() {
        return Err(format!("no mapping file after `{pattern}=` (write INDEX_PATTERN=FILE)"));
    }
    let indices = IndexPatterns::parse(&[pattern]).map_err(|error| error.to_string())?;
    Ok(SchemaArg { indices: Some(indices), path: PathBuf::from(path) })
}

/// `--now`: a date-time as events carry it (RFC 3339, or epoch milliseconds).
fn parse_now(text: &str) -> Result<rule_engine::EventTime, String> {
    rule_engine::EventTime::parse(text).map_err(|error| error.to_string())
}

/// `--format` of `run` and `query`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One JSON document per line.
    #[default]
    Ndjson,
    /// One JSON array of all the documents.
    Json,
    /// A table for people (time, rule, severity, reason; for `query`: time, index, id, event).
    Table,
}

/// `warden test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files (`<rule>.test.toml`), or folders searched recursively for them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Field types laid over the built-in ones (ECS, Elastic Defend, the index patterns'
    /// tables): an Elasticsearch mapping JSON or a flat `{"field": "type"}` object. Repeat it
    /// for several; `INDEX_PATTERN=FILE` is the mapping of the indices the pattern selects
    /// (Elasticsearch has one mapping per index), a plain `FILE` applies to every index.
    #[arg(long, value_name = "[INDEX_PATTERN=]FILE", value_parser = parse_schema)]
    pub schema: Vec<SchemaArg>,
}

/// `--result-position` of `warden query`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultPositionArg {
    /// The earliest matches.
    Head,
    /// The latest matches.
    Tail,
}

/// `warden query`.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The query language.
    #[arg(long, value_enum, default_value_t = QueryLanguage::Eql)]
    pub language: QueryLanguage,
    /// The query text.
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// NDJSON event files (`-` for standard input); standard input when none is given.
    #[arg(value_name = "FILE")]
    pub events: Vec<PathBuf>,
    /// Index name for events that carry none.
    #[arg(long, value_name = "NAME")]
    pub index: Option<String>,
    /// How hits are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Ndjson)]
    pub format: OutputFormat,
    /// Most hits returned (Elasticsearch's default: 10).
    #[arg(long, default_value_t = 10)]
    pub size: usize,
    /// Which end of the ordered matches is returned (the EQL search API's `result_position`;
    /// Elasticsearch's default is `tail`, the latest). Hits are always listed oldest first.
    #[arg(long, value_enum, default_value_t = ResultPositionArg::Tail)]
    pub result_position: ResultPositionArg,
    /// Field holding the event time.
    #[arg(long, default_value = "@timestamp", value_name = "FIELD")]
    pub timestamp_field: String,
    /// Field breaking ties between events with the same time.
    #[arg(long, value_name = "FIELD")]
    pub tiebreaker_field: Option<String>,
    /// Field holding the event category (EQL).
    #[arg(long, default_value = "event.category", value_name = "FIELD")]
    pub event_category_field: String,
    /// Field types laid over the built-in ones (ECS, Elastic Defend, the index patterns'
    /// tables): an Elasticsearch mapping JSON or a flat `{"field": "type"}` object. Repeat it
    /// for several; `INDEX_PATTERN=FILE` is the mapping of the indices the pattern selects
    /// (Elasticsearch has one mapping per index), a plain `FILE` applies to every index.
    #[arg(long, value_name = "[INDEX_PATTERN=]FILE", value_parser = parse_schema)]
    pub schema: Vec<SchemaArg>,
    /// Samples per join-key combination (the EQL search API's `max_samples_per_key`).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub max_samples_per_key: usize,
}
