//! The detection-rules `non-ecs-schema.json` format: index pattern -> nested tree of
//! field path -> type, looked up by the rule's exact index pattern strings.

use indexmap::IndexMap;

use crate::error::{SchemaError, parse_json};
use crate::flat::flatten_types;
use crate::schema::Schema;

/// Extra, non-ECS fields per index pattern (`winlogbeat-*` →
/// `winlog.event_data.SubjectUserSid: keyword`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NonEcsSchema {
    by_index_pattern: IndexMap<String, Schema>,
}

impl NonEcsSchema {
    /// Loads `{"<index pattern>": {<nested dict of path -> type>}, …}`.
    pub fn from_json(origin: &str, text: &str) -> Result<NonEcsSchema, SchemaError> {
        let value = parse_json(origin, text)?;
        let top = value.as_object().ok_or_else(|| SchemaError::Shape {
            origin: origin.to_owned(),
            path: "<root>".to_owned(),
            message: "expected an object of index pattern -> fields".to_owned(),
        })?;
        let mut by_index_pattern = IndexMap::new();
        for (pattern, tree) in top {
            let tree = tree.as_object().ok_or_else(|| SchemaError::Shape {
                origin: origin.to_owned(),
                path: pattern.clone(),
                message: "the fields of an index pattern must be an object".to_owned(),
            })?;
            let mut fields = Vec::new();
            flatten_types(origin, "", tree, &mut fields)?;
            by_index_pattern.insert(pattern.clone(), fields.into_iter().collect());
        }
        Ok(NonEcsSchema { by_index_pattern })
    }

    /// The fields listed for exactly this index pattern string (no wildcard matching
    /// between patterns, as detection-rules' `get_index_schema` does a dict lookup).
    pub fn for_index_pattern(&self, pattern: &str) -> Option<&Schema> {
        self.by_index_pattern.get(pattern)
    }

    /// The index patterns, in file order.
    pub fn index_patterns(&self) -> impl Iterator<Item = &str> {
        self.by_index_pattern.keys().map(String::as_str)
    }
}
