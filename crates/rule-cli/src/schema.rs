//! The field types queries compile against: the built-in schema of a rule's index patterns
//! (field-schema's ECS, Elastic Defend, Endgame and non-ECS tables), with the user's
//! `--schema` mappings laid over it, built once per distinct list of index patterns.
//!
//! Elasticsearch has one mapping per index, and a search over several indices resolves its
//! fields over all of their mappings (EQL merges the field capabilities of the searched
//! indices "onto the same one": `IndexResolver.mergedMappings` in Elasticsearch's
//! `x-pack/plugin/ql/src/main/java/org/elasticsearch/xpack/ql/index/IndexResolver.java`).
//! So a query compiles against the built-in tables, then every plain `--schema FILE`, then
//! every `INDEX_PATTERN=FILE` whose pattern may select an index the rule searches (all of them
//! for `warden query`, whose indices are those of the events). What the engine reads per
//! event, with the mapping of the event's own index, is the date format of join keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use field_schema::{IndexPatterns, Schema};

use crate::UsageError;
use crate::args::SchemaArg;
use crate::compile::Target;

/// The schemas of one command: the `--schema` mappings and a cache of merged schemas.
#[derive(Debug, Default)]
pub(crate) struct Schemas {
    /// The plain `--schema FILE` mappings, laid over every built-in schema.
    every: Vec<Schema>,
    /// The `--schema INDEX_PATTERN=FILE` mappings, each with the indices it applies to.
    per_index: Vec<(IndexPatterns, Schema)>,
    /// Merged schemas by index pattern list and selection (merging takes about a
    /// millisecond, and a corpus has a few hundred distinct lists for two thousand rules).
    merged: HashMap<(Vec<String>, Selection), Schema>,
}

/// Which `INDEX_PATTERN=FILE` mappings a merged schema takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Selection {
    /// Those whose pattern may select one of the rule's indices.
    Overlapping,
    /// All of them.
    All,
}

impl Schemas {
    /// Reads every `--schema`: an Elasticsearch mapping or a flat `{"field": "type"}` object.
    /// A file that cannot be read or loaded is a usage error.
    pub(crate) fn load(args: &[SchemaArg]) -> Result<Self, UsageError> {
        let mut schemas = Self::default();
        for arg in args {
            let schema = load_user_schema(&arg.path)?;
            match &arg.indices {
                Some(indices) => schemas.per_index.push((indices.clone(), schema)),
                None => schemas.every.push(schema),
            }
        }
        Ok(schemas)
    }

    /// How a rule searching `patterns` (its `index` list) compiles: the built-in tables
    /// detection-rules' validator merges for those patterns, then the mappings of the indices
    /// it may search. A rule without patterns takes every mapping.
    pub(crate) fn target<'s, S: AsRef<str>>(
        &'s mut self,
        patterns: &[S],
        category_field: Option<&'s str>,
    ) -> Target<'s> {
        let Self { every, per_index, merged } = self;
        let schema = merge(merged, every, per_index, patterns, Selection::Overlapping);
        Target { category_field, schema, index_schemas: per_index }
    }

    /// How `warden query` compiles: the built-in tables of `--index` (if given), then every
    /// mapping, since the searched indices are those the events name.
    pub(crate) fn search_target<'s>(
        &'s mut self,
        index: Option<&str>,
        category_field: &'s str,
    ) -> Target<'s> {
        let patterns: Vec<&str> = index.into_iter().collect();
        let Self { every, per_index, merged } = self;
        let schema = merge(merged, every, per_index, &patterns, Selection::All);
        Target { category_field: Some(category_field), schema, index_schemas: per_index }
    }
}

/// The merged schema of `patterns` and `selection`, from `cache` or built into it.
fn merge<'c, S: AsRef<str>>(
    cache: &'c mut HashMap<(Vec<String>, Selection), Schema>,
    every: &[Schema],
    per_index: &[(IndexPatterns, Schema)],
    patterns: &[S],
    selection: Selection,
) -> &'c Schema {
    let key: Vec<String> = patterns.iter().map(|p| p.as_ref().to_owned()).collect();
    cache.entry((key, selection)).or_insert_with_key(|(key, selection)| {
        let patterns: Vec<&str> = key.iter().map(String::as_str).collect();
        let mut schema = Schema::for_index_patterns(&patterns);
        for user in every {
            schema.overlay(user);
        }
        let searched = IndexPatterns::parse(&patterns).ok().filter(|_| !patterns.is_empty());
        for (indices, user) in per_index {
            let applies = match (selection, &searched) {
                (Selection::Overlapping, Some(searched)) => searched.may_overlap(indices),
                (Selection::Overlapping, None) | (Selection::All, _) => true,
            };
            if applies {
                schema.overlay(user);
            }
        }
        schema
    })
}

fn load_user_schema(path: &Path) -> Result<Schema, UsageError> {
    let problem = |message: String| UsageError::Path { path: PathBuf::from(path), message };
    let text = std::fs::read_to_string(path).map_err(|error| problem(error.to_string()))?;
    let origin = path.display().to_string();
    rule_compiler::load_schema(&origin, &text).map_err(|error| {
        let help = miette::Diagnostic::help(&error).map(|help| format!(" ({help})"));
        problem(format!("not a usable schema: {error}{}", help.unwrap_or_default()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use field_schema::FieldType;

    fn schema_arg(indices: Option<&str>, path: &Path) -> SchemaArg {
        let indices = indices.map(|pattern| IndexPatterns::parse(&[pattern]).expect("pattern"));
        SchemaArg { indices, path: path.to_owned() }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warden-schema-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn built_in_schema_follows_the_index_patterns() {
        let mut schemas = Schemas::default();
        let winlogbeat = schemas.target(&["winlogbeat-*"], None).schema;
        assert_eq!(
            winlogbeat.field_type("winlog.event_data.SubjectUserSid"),
            Some(&FieldType::Keyword)
        );
        let plain = schemas.target::<&str>(&[], None).schema;
        assert_eq!(plain.field_type("source.ip"), Some(&FieldType::Ip));
        assert!(plain.field_type("winlog.event_data.SubjectUserSid").is_none());
        assert_eq!(schemas.merged.len(), 2);
    }

    #[test]
    fn user_schema_is_laid_over_the_built_in_one() {
        let dir = scratch("overlay");
        let path = dir.join("flat.json");
        std::fs::write(&path, r#"{"source.ip": "keyword", "custom.count": "long"}"#)
            .expect("write");
        let mut schemas = Schemas::load(&[schema_arg(None, &path)]).expect("loads");
        let schema = schemas.target(&["logs-*"], None).schema;
        assert_eq!(schema.field_type("source.ip"), Some(&FieldType::Keyword));
        assert_eq!(schema.field_type("custom.count"), Some(&FieldType::Long));
        assert_eq!(schema.field_type("destination.ip"), Some(&FieldType::Ip));
        std::fs::write(&path, "{not json").expect("write");
        let error = Schemas::load(&[schema_arg(None, &path)]).expect_err("bad JSON");
        assert!(error.to_string().contains("invalid JSON"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn index_mappings_apply_to_the_rules_that_may_search_their_indices() {
        let dir = scratch("per-index");
        let (windows, linux) = (dir.join("windows.json"), dir.join("linux.json"));
        std::fs::write(&windows, r#"{"custom.windows": "long"}"#).expect("write");
        std::fs::write(&linux, r#"{"custom.linux": "ip"}"#).expect("write");
        let args =
            [schema_arg(Some("winlogbeat-*"), &windows), schema_arg(Some("auditbeat-*"), &linux)];
        let mut schemas = Schemas::load(&args).expect("loads");
        let target = schemas.target(&["winlogbeat-8*"], None);
        assert_eq!(target.schema.field_type("custom.windows"), Some(&FieldType::Long));
        assert!(target.schema.field_type("custom.linux").is_none());
        assert_eq!(target.index_schemas.len(), 2, "join keys read any event's own mapping");
        let unknown = schemas.target::<&str>(&[], None).schema;
        assert!(unknown.field_type("custom.windows").is_some());
        assert!(unknown.field_type("custom.linux").is_some());
        let search = schemas.search_target(Some("winlogbeat-1"), "event.category").schema;
        assert!(search.field_type("custom.linux").is_some(), "events name their own indices");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
