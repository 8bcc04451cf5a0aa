//! `warden run --state DIR`: the run with detection state kept across runs (see
//! `rule_engine`'s `persist` module for what is kept and why nothing reported is lost).
//!
//! Order of a run: load the state; print the alerts an interrupted run committed but may not
//! have printed; run the events, which commits the new state together with the new alerts;
//! print them all and flush; only then mark them delivered.

use std::io::Write;
use std::path::Path;

use rule_engine::{Engine, RunOutput, StateStore};

use crate::UsageError;
use crate::args::OutputFormat;
use crate::events::EventStream;
use crate::output::{TableStyle, write_alerts};
use crate::report::Style;

/// Runs `engine` over `events` with the state in `dir` and prints the alerts to `out`;
/// `None` (after rendering the error to `err`) when the state cannot be used.
pub(crate) fn run_with_state(
    engine: Engine,
    dir: &Path,
    events: EventStream,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Option<RunOutput>, UsageError> {
    let style = Style::for_stderr();
    let report = |err: &mut dyn Write, error: &rule_engine::StateError| {
        writeln!(err, "{}", style.render(error)).map_err(UsageError::Output)
    };
    let store = match StateStore::open(dir) {
        Ok(store) => store,
        Err(error) => {
            report(err, &error)?;
            return Ok(None);
        }
    };
    let mut engine = match engine.with_state(store) {
        Ok(engine) => engine,
        Err(error) => {
            report(err, &error)?;
            return Ok(None);
        }
    };
    let mut alerts = engine.take_undelivered();
    if !alerts.is_empty() {
        writeln!(
            err,
            "warning: {} alert(s) of an interrupted run are printed again first",
            alerts.len()
        )
        .map_err(UsageError::Output)?;
    }
    let mut output = match engine.run(events) {
        Ok(output) => output,
        Err(error) => {
            report(err, &error)?;
            return Ok(None);
        }
    };
    alerts.append(&mut output.alerts);
    write_alerts(&alerts, format, TableStyle::for_stdout(), out).map_err(UsageError::Output)?;
    out.flush().map_err(UsageError::Output)?;
    if let Err(error) = engine.mark_delivered() {
        report(err, &error)?;
        return Ok(None);
    }
    output.alerts = alerts;
    Ok(Some(output))
}
