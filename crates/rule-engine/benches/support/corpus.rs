//! Every corpus rule the engine runs, compiled as `warden run` compiles it: typed by the
//! built-in schema of the rule's index patterns, with its `event_category_override`, and kept
//! only if the engine accepts it alone (rules it cannot run are skipped, as `warden run`
//! reports and skips them).

use std::path::{Path, PathBuf};

use field_schema::Schema;
use rule_compiler::{Compiler, EqlOptions, SchemaOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions};
use rule_model::{Language, Rule, RuleFile};
use rule_vm::FieldTable;

/// The detection-rules corpus beside the workspace (`../shared/corpus/detection-rules`).
pub(crate) fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/detection-rules")
}

/// The compiled rules and their shared field table, and how many rule files were skipped.
pub(crate) fn load_corpus(
    options: &EngineOptions,
) -> (FieldTable, Vec<(Rule, CompiledQuery)>, usize) {
    let root = corpus_root();
    let mut files = Vec::new();
    for folder in ["rules", "rules_building_block"] {
        toml_files(&root.join(folder), &mut files);
    }
    files.sort();
    assert!(files.len() > 1000, "corpus not found at {}", root.display());
    let mut compiler = Compiler::new();
    let mut rules = Vec::new();
    let mut skipped = 0;
    for path in &files {
        match prepare(path, &mut compiler, options) {
            Some(rule) => rules.push(rule),
            None => skipped += 1,
        }
    }
    (compiler.into_fields(), rules, skipped)
}

fn toml_files(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "toml") {
            out.push(path);
        }
    }
}

fn prepare(
    path: &Path,
    compiler: &mut Compiler,
    options: &EngineOptions,
) -> Option<(Rule, CompiledQuery)> {
    let text = std::fs::read_to_string(path).ok()?;
    let rule = RuleFile::parse(path.display().to_string(), &text).ok()?.rule;
    let query = rule.query_text()?;
    let patterns: Vec<&str> = rule.index.iter().map(String::as_str).collect();
    let schema = Schema::for_index_patterns(&patterns);
    let types = SchemaOptions { schema: Some(&schema), ..SchemaOptions::default() };
    let runnable = match rule.language? {
        Language::Eql => {
            let ast = eql_syntax::parse(query).ok()?;
            let mut eql = EqlOptions::default();
            if let Some(field) = &rule.event_category_override {
                eql.category_field.clone_from(field);
            }
            let plan = compiler.compile_eql_typed(&ast, &eql, &types).ok()?;
            CompiledQuery::from_eql(plan.plan, &plan.pipes).ok()?
        }
        Language::Kuery => {
            let ast = kql_syntax::parse(query).ok()?;
            CompiledQuery::from_kql(compiler.compile_kql_typed(&ast, &types).ok()?.program)
        }
        _ => return None,
    };
    Engine::new(FieldTable::new(), vec![(rule.clone(), runnable.clone())], options.clone()).ok()?;
    Some((rule, runnable))
}
