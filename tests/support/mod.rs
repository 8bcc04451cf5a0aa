//! What the corpus tests share: where `../shared` is, and the rule queries of one language.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// The `shared/` folder that sits beside the checkout (corpus and conformance data).
pub(crate) fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The `[rule] query` of every corpus rule whose `language` is `language` (`eql`, `kuery`),
/// with its file, in file-name order.
pub(crate) fn corpus_queries(language: &str) -> Vec<(PathBuf, String)> {
    let root = shared_dir().join("corpus/detection-rules");
    let mut queries = Vec::new();
    for entry in WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("corpus is readable");
        if entry.path().extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("rule file is readable");
        let Ok(rule) = text.parse::<toml::Table>() else { continue };
        let Some(rule) = rule.get("rule").and_then(toml::Value::as_table) else { continue };
        if rule.get("language").and_then(toml::Value::as_str) != Some(language) {
            continue;
        }
        let query = rule.get("query").and_then(toml::Value::as_str).expect("the rule has a query");
        queries.push((entry.path().to_path_buf(), query.to_owned()));
    }
    queries
}
