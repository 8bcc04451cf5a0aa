//! Expanding the paths given on the command line into rule files.

use std::path::PathBuf;

use crate::UsageError;

/// Files as given, folders searched recursively for `*.toml` (sorted by path, so output
/// order is stable).
pub(crate) fn rule_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|err| UsageError::Path {
                    path: path.clone(),
                    message: err.to_string(),
                })?;
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|ext| ext == "toml")
                {
                    found.push(entry.into_path());
                }
            }
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(UsageError::Path {
                path: path.clone(),
                message: "no such file or folder".into(),
            });
        }
    }
    Ok(files)
}
