//! Every production rule of `elastic/detection-rules` loads without a shape error.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rule_model::RuleFile;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/detection-rules")
}

#[test]
fn every_corpus_rule_loads() {
    let mut failures = Vec::new();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut exact_query_offsets = 0;
    let mut queries = 0;
    let mut warnings = Vec::new();
    for entry in walkdir::WalkDir::new(corpus_dir()).sort_by_file_name() {
        let entry = entry.expect("readable corpus directory");
        if entry.path().extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        match RuleFile::load(entry.path()) {
            Ok(file) => {
                warnings.extend(
                    file.warnings().iter().map(|w| format!("{}: {w}", entry.path().display())),
                );
                *by_type.entry(file.rule.rule_type.to_string()).or_default() += 1;
                if let Some(query) = &file.rule.query {
                    queries += 1;
                    if let Some(offset) = query.offset {
                        exact_query_offsets += 1;
                        let start = offset as usize;
                        assert_eq!(&file.text()[start..start + query.text.len()], query.text);
                    }
                }
            }
            Err(failure) => {
                failures.push(format!("{}: {:?}", entry.path().display(), failure.failure.errors));
            }
        }
    }
    assert!(failures.is_empty(), "{} rules failed:\n{}", failures.len(), failures.join("\n"));
    // No unknown key, no risk score outside its band, no max_signals above Kibana's limit.
    assert!(warnings.is_empty(), "{} warnings:\n{}", warnings.len(), warnings.join("\n"));
    let total: usize = by_type.values().sum();
    assert_eq!(total, 2068, "{by_type:?}");
    assert_eq!(queries, 1962);
    assert_eq!(exact_query_offsets, queries, "every corpus query is a ''' literal string");
    let expected: BTreeMap<String, usize> = [
        ("eql", 1024),
        ("query", 454),
        ("new_terms", 241),
        ("threshold", 28),
        ("threat_match", 6),
        ("esql", 209),
        ("machine_learning", 106),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_type, expected);
}
