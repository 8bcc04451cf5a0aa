//! `explain --event FILE`: the first events of a file, each run through the query's programs
//! with rule-vm's tracer: which predicates ran, the values they read, which one decided.

use std::fmt::Write as _;
use std::path::Path;

use event_input::{BytesRead, InputError, InputEvent, MalformedLine, open_events};
use rule_vm::{EventView, Vm};

use crate::UsageError;
use crate::compile::Compiled;

/// The events read for tracing, in file order, with the lines that were not events.
pub(crate) struct TracedEvents {
    /// The file, as given.
    name: String,
    /// Events and malformed lines, at most `limit` of them together.
    items: Vec<Result<InputEvent, MalformedLine>>,
}

impl TracedEvents {
    /// Reads the first `limit` events (or malformed lines) of `path` (NDJSON, JSON arrays,
    /// search responses; plain, gzip or zstd). A file that cannot be opened is a usage error.
    pub(crate) fn read(path: &Path, limit: usize) -> Result<Self, UsageError> {
        let reader = open_events(path, &BytesRead::default()).map_err(|error| match error {
            InputError::Open { source, .. } => {
                UsageError::Path { path: path.to_owned(), message: source.to_string() }
            }
        })?;
        Ok(Self { name: path.display().to_string(), items: reader.take(limit).collect() })
    }

    /// One trace section per event: every program of `compiled` run over it, with the steps
    /// shown against `query` (the text the spans refer to).
    pub(crate) fn section(&self, compiled: &Compiled, query: &str) -> String {
        let mut text = format!(
            "\n== Traces over {} (first {} event(s); `*` marks the deciding step) ==\n",
            self.name,
            self.items.len()
        );
        if self.items.is_empty() {
            text.push_str("(no events)\n");
        }
        let programs = compiled.programs();
        let mut vm = Vm::new();
        for (number, item) in self.items.iter().enumerate() {
            let event = match item {
                Ok(event) => event,
                Err(malformed) => {
                    let _ = writeln!(text, "\n-- item {}: not an event: {malformed}", number + 1);
                    continue;
                }
            };
            let _ = writeln!(text, "\n-- event {} ({}) --", number + 1, describe(event));
            for (title, program) in &programs {
                let mut view = EventView::new(compiled.fields(), &event.source);
                let trace = vm.trace(program, &mut view);
                if programs.len() > 1 {
                    let _ = writeln!(text, "{title}:");
                }
                let _ = write!(text, "{}", trace.listing(program, compiled.fields(), query));
            }
        }
        text
    }
}

/// Where an event came from: its line (or array element), `_index` and `_id` when known.
fn describe(event: &InputEvent) -> String {
    let mut parts = vec![format!("line {}", event.line)];
    if let Some(index) = &event.index {
        parts.push(format!("_index {index}"));
    }
    if let Some(id) = &event.id {
        parts.push(format!("_id {id}"));
    }
    parts.join(", ")
}
