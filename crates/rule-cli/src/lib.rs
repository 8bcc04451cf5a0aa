//! The `warden` command line: `validate`, `explain`, `run` and `query` over detection rules.
//!
//! [`run`] parses the arguments and dispatches; each subcommand writes to the given output,
//! so tests can call it without a process. Diagnostics are rendered with miette's graphical
//! handler, in colour only on a terminal.

pub mod args;
mod compile;
mod english;
mod event_category;
mod event_trace;
mod events;
mod explain;
pub mod fmt;
mod layout;
mod output;
mod progress;
mod query;
mod query_checks;
mod report;
mod rule_paths;
mod run;
mod run_state;
mod sarif;
mod schema;
mod search;
mod test_cmd;
mod test_file;
mod tree;
mod type_check;
mod validate;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};
pub use query::{ParsedQuery, QueryOutcome, parse_query};
pub use report::{Finding, Style, findings};

/// How a command ended, as an exit code: 0 success, 1 findings (invalid rules, a query
/// that does not parse), 2 usage errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything checked out.
    Success,
    /// The command ran and found problems.
    Failure,
    /// The command could not run as asked.
    Usage,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Usage => ExitCode::from(2),
        }
    }
}

/// A command that cannot run as asked (exit code 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UsageError {
    /// A path given does not exist or cannot be read.
    #[error("{}: {message}", path.display())]
    #[diagnostic(code(warden::bad_path))]
    Path {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    #[diagnostic(code(warden::output))]
    Output(#[source] std::io::Error),
}

/// Parses `args` (program name first) and runs the command, writing results to `out` and
/// usage problems to `err`.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(clap_error) => {
            let rendered = clap_error.render();
            let (text, status) = if clap_error.use_stderr() {
                (rendered.ansi().to_string(), ExitStatus::Usage)
            } else {
                (rendered.to_string(), ExitStatus::Success)
            };
            let target: &mut dyn Write = if status == ExitStatus::Usage { err } else { out };
            let _ = write!(target, "{text}");
            return status;
        }
    };
    let result = match &cli.command {
        Command::Validate(args) => validate::validate(args, out),
        Command::Explain(args) => explain::explain(args, out),
        Command::Run(args) => run::run(args, out, err),
        Command::Query(args) => search::query(args, out, err),
        Command::Test(args) => test_cmd::test(args, out, err),
        Command::Fmt(args) => fmt::fmt(args, out),
    };
    match result {
        Ok(status) => status,
        Err(usage) => {
            let _ = writeln!(err, "error: {usage}");
            ExitStatus::Usage
        }
    }
}
