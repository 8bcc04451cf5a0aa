//! Every EQL and KQL query of the detection-rules corpus (`shared/corpus/detection-rules`)
//! parses and compiles. Queries the parsers reject are counted separately (that is the parser
//! crates' business); a compile failure fails this test, with the reasons listed.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct RuleFile {
    rule: Rule,
}

#[derive(Deserialize)]
struct Rule {
    language: Option<String>,
    query: Option<String>,
    index: Option<Vec<String>>,
}

fn rule_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rule_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_query_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/detection-rules");
    let mut files = Vec::new();
    rule_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 1000, "corpus not found at {}", root.display());
    let mut compiler = rule_compiler::Compiler::new();
    let options = rule_compiler::EqlOptions::default();
    let (mut eql, mut kql, mut unparsed, mut kql_warned) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let Ok(file) = toml::from_str::<RuleFile>(&text) else { continue };
        let patterns: Vec<String> = file.rule.index.clone().unwrap_or_default();
        let (Some(language), Some(query)) = (file.rule.language, file.rule.query) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let outcome = match language.as_str() {
            "eql" => {
                eql += 1;
                if let Ok(ast) = eql_syntax::parse(&query) {
                    compiler.compile_eql(&ast, &options).err().map(|e| format!("{:?}", e.errors))
                } else {
                    unparsed += 1;
                    None
                }
            }
            "kuery" => {
                kql += 1;
                if let Ok(ast) = kql_syntax::parse(&query) {
                    // Each KQL rule against the built-in schema of its index patterns.
                    let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
                    let schema = field_schema::Schema::for_index_patterns(&patterns);
                    let types = rule_compiler::SchemaOptions {
                        schema: Some(&schema),
                        ..rule_compiler::SchemaOptions::default()
                    };
                    match compiler.compile_kql_typed(&ast, &types) {
                        Ok(kql_program) => {
                            kql_warned += usize::from(!kql_program.warnings.is_empty());
                            None
                        }
                        Err(e) => Some(format!("{:?}", e.errors)),
                    }
                } else {
                    unparsed += 1;
                    None
                }
            }
            _ => None,
        };
        if let Some(reason) = outcome {
            failures.push(format!("{name}: {reason}"));
        }
    }
    let summary = format!(
        "EQL queries: {eql}, KQL queries: {kql} ({kql_warned} with warnings, typed by their index patterns), not parsed: {unparsed}, compile failures: {}",
        failures.len()
    );
    assert!(eql > 900 && kql > 600, "{summary}");
    assert!(failures.is_empty(), "{summary}\n{}", failures.join("\n"));
    insta::assert_snapshot!(summary);
}
