//! Expanding the paths given on the command line into rule files (rule unit tests,
//! `*.test.toml`, are not rules).

use std::path::{Path, PathBuf};

use crate::UsageError;

/// The ending of rule unit test files (`warden test`), which sit beside their rules.
pub(crate) const RULE_TEST_SUFFIX: &str = ".test.toml";

/// Whether `path` names a rule unit test file rather than a rule.
pub(crate) fn is_rule_test(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with(RULE_TEST_SUFFIX))
}

/// Files as given, folders searched recursively for `*.toml` except `*.test.toml` (sorted by
/// path, so output order is stable).
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
                    && !is_rule_test(entry.path())
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
