//! The field types queries compile against: the built-in schema of a rule's index patterns
//! (field-schema's ECS, Elastic Defend, Endgame and non-ECS tables), with the user's
//! `--schema` file laid over it, built once per distinct list of index patterns.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use field_schema::Schema;

use crate::UsageError;

/// The schemas of one command: the `--schema` overlay and a cache of merged schemas.
#[derive(Debug, Default)]
pub(crate) struct Schemas {
    /// The `--schema` file's fields, laid over every built-in schema.
    user: Option<Schema>,
    /// Merged schemas by index pattern list (merging takes about a millisecond, and a
    /// corpus has a few hundred distinct lists for two thousand rules).
    by_patterns: HashMap<Vec<String>, Schema>,
}

impl Schemas {
    /// Reads `--schema FILE` when given: an Elasticsearch mapping or a flat
    /// `{"field": "type"}` object. A file that cannot be read or loaded is a usage error.
    pub(crate) fn load(path: Option<&Path>) -> Result<Self, UsageError> {
        let user = path.map(load_user_schema).transpose()?;
        Ok(Self { user, by_patterns: HashMap::new() })
    }

    /// The schema of a rule searching `patterns` (its `index` list): the built-in tables
    /// detection-rules' validator merges for those patterns, then `--schema`.
    pub(crate) fn for_patterns<S: AsRef<str>>(&mut self, patterns: &[S]) -> &Schema {
        let key: Vec<String> = patterns.iter().map(|p| p.as_ref().to_owned()).collect();
        let user = self.user.as_ref();
        self.by_patterns.entry(key).or_insert_with_key(|key| {
            let patterns: Vec<&str> = key.iter().map(String::as_str).collect();
            let schema = Schema::for_index_patterns(&patterns);
            match user {
                Some(user) => schema.overlaid(user),
                None => schema,
            }
        })
    }
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

    #[test]
    fn built_in_schema_follows_the_index_patterns() {
        let mut schemas = Schemas::default();
        let winlogbeat = schemas.for_patterns(&["winlogbeat-*"]);
        assert_eq!(
            winlogbeat.field_type("winlog.event_data.SubjectUserSid"),
            Some(&FieldType::Keyword)
        );
        let plain = schemas.for_patterns::<&str>(&[]);
        assert_eq!(plain.field_type("source.ip"), Some(&FieldType::Ip));
        assert!(plain.field_type("winlog.event_data.SubjectUserSid").is_none());
        assert_eq!(schemas.by_patterns.len(), 2);
    }

    #[test]
    fn user_schema_is_laid_over_the_built_in_one() {
        let dir = std::env::temp_dir().join(format!("warden-schema-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("flat.json");
        std::fs::write(&path, r#"{"source.ip": "keyword", "custom.count": "long"}"#)
            .expect("write");
        let mut schemas = Schemas::load(Some(&path)).expect("loads");
        let schema = schemas.for_patterns(&["logs-*"]);
        assert_eq!(schema.field_type("source.ip"), Some(&FieldType::Keyword));
        assert_eq!(schema.field_type("custom.count"), Some(&FieldType::Long));
        assert_eq!(schema.field_type("destination.ip"), Some(&FieldType::Ip));
        std::fs::write(&path, "{not json").expect("write");
        let error = Schemas::load(Some(&path)).expect_err("bad JSON");
        assert!(error.to_string().contains("invalid JSON"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
