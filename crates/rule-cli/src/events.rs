//! Opening the event inputs of `run` and `query`: files (NDJSON or JSON arrays, plain, gzip
//! or zstd) and standard input (`-`, or when no file is given), read one after the other
//! behind a progress bar.

use std::path::{Path, PathBuf};

use event_input::{BytesRead, InputError, InputEvent, MalformedLine, open_events};

use crate::UsageError;
use crate::progress::Progressing;

/// Events from all the inputs, or reports of what could not be read.
pub(crate) type EventStream = Box<dyn Iterator<Item = Result<InputEvent, MalformedLine>>>;

/// Opens every input (a missing file is a usage error before anything is read) and chains
/// them behind a progress bar.
pub(crate) fn open_inputs(paths: &[PathBuf]) -> Result<EventStream, UsageError> {
    let stdin = [PathBuf::from("-")];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let bytes = BytesRead::default();
    let mut total_bytes = Some(0u64);
    let mut readers = Vec::with_capacity(paths.len());
    for path in paths {
        total_bytes = total_bytes.zip(file_size(path)).map(|(total, size)| total + size);
        let reader = open_events(path, &bytes).map_err(|error| match error {
            InputError::Open { source, .. } => {
                UsageError::Path { path: path.clone(), message: source.to_string() }
            }
        })?;
        readers.push(reader);
    }
    Ok(Box::new(Progressing::new(readers.into_iter().flatten(), bytes, total_bytes)))
}

/// The size of a regular file; `None` for standard input, pipes and the like.
fn file_size(path: &Path) -> Option<u64> {
    if path == Path::new("-") {
        return None;
    }
    std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file).map(|metadata| metadata.len())
}
