//! How a field name in a query resolves against the [`Schema`]: the path whose values are
//! read (an alias's target, a multi-field's parent), the type Elasticsearch queries it as,
//! and the mapping parameters that change matching (`format`, `null_value`).

use field_schema::{DateFormat, FieldType, Schema};
use rule_vm::{FieldId, Instr, ProgramBuilder, Test};
use serde_json::Value;

use crate::cond::{Cond, DebugSpan};

/// A query field after schema lookup.
#[derive(Clone, Debug)]
pub(crate) struct FieldInfo {
    /// The path whose values the VM reads.
    pub(crate) read_path: String,
    /// The type queries see; `None` when no schema knows the field.
    pub(crate) ty: Option<FieldType>,
    /// The date format (date fields).
    pub(crate) format: Option<DateFormat>,
    /// What an explicit JSON `null` is indexed as.
    pub(crate) null_value: Option<Value>,
}

impl FieldInfo {
    /// A field no schema knows: read as named, keyword semantics.
    pub(crate) fn unknown(name: &str) -> FieldInfo {
        FieldInfo { read_path: name.to_owned(), ty: None, format: None, null_value: None }
    }

    /// The keyword family (or unknown, which gets keyword semantics).
    pub(crate) fn is_keyword_like(&self) -> bool {
        self.ty.as_ref().is_none_or(|ty| ty.is_string_like() || matches!(ty, FieldType::Version))
    }

    /// Mapped exactly as `keyword` (Kibana's `esTypes == ['keyword']` test, kql.md §2.1).
    pub(crate) fn is_plain_keyword(&self) -> bool {
        self.ty == Some(FieldType::Keyword)
    }

    /// `text` / `match_only_text`.
    pub(crate) fn is_analyzed(&self) -> bool {
        self.ty.as_ref().is_some_and(FieldType::is_analyzed)
    }

    /// The type's name for messages (`unknown` when unmapped).
    pub(crate) fn type_name(&self) -> &str {
        self.ty.as_ref().map_or("unknown", FieldType::es_name)
    }

    /// The date format and resolution when this is a date field.
    pub(crate) fn date(&self) -> Option<(&DateFormat, bool)> {
        match &self.ty {
            Some(FieldType::Date) => Some((self.format.as_ref()?, false)),
            Some(FieldType::DateNanos) => Some((self.format.as_ref()?, true)),
            _ => None,
        }
    }
}

/// Reads a `--schema` file: an Elasticsearch mapping (`{"mappings":…}`, `{"properties":…}` or
/// a `GET _mapping` response) when it looks like one, else a flat `{"field": "type"}` object.
pub fn load_schema(origin: &str, text: &str) -> Result<Schema, field_schema::SchemaError> {
    let looks_like_mapping = serde_json::from_str::<Value>(text).ok().is_some_and(|value| {
        value.as_object().is_some_and(|top| {
            top.contains_key("mappings")
                || top.contains_key("properties")
                || (!top.is_empty() && top.values().all(|index| index.get("mappings").is_some()))
        })
    });
    if looks_like_mapping {
        Schema::from_es_mapping(origin, text)
    } else {
        Schema::from_flat_json(origin, text)
    }
}

/// A field test, with the field's `null_value` taken into account: when the `null_value`
/// itself passes the test, an explicit JSON `null` in the event matches too (ES indexes it
/// as that value).
pub(crate) fn typed_leaf(
    builder: &ProgramBuilder,
    field: FieldId,
    info: &FieldInfo,
    test: Test,
    span: DebugSpan,
) -> Cond {
    let leaf = Cond::Leaf(Instr::Test { field, test }, span);
    match &info.null_value {
        Some(null_value) if builder.test_passes(test, null_value) => {
            Cond::or(vec![leaf, Cond::Leaf(Instr::ExplicitNull { field }, span)])
        }
        _ => leaf,
    }
}

/// Looks `name` up: follows an alias, reads a multi-field through its parent. `None` when
/// the schema does not know the name.
pub(crate) fn lookup(schema: &Schema, name: &str) -> Option<FieldInfo> {
    let resolved = schema.resolve(name)?;
    let spec = resolved.spec;
    let read_path = spec.multi_field_of.clone().unwrap_or_else(|| resolved.path.to_owned());
    Some(FieldInfo {
        read_path,
        ty: Some(spec.ty.clone()),
        format: spec.date_format().cloned(),
        null_value: spec.null_value.clone(),
    })
}

/// EQL's view of a field: a `text` field with a keyword-family multi-field is compared
/// through that sub-field (ES EQL uses the field's "exact" sub-field; QA README, endgame
/// `file_name` and `hostname`).
pub(crate) fn lookup_exact(schema: &Schema, name: &str) -> Option<FieldInfo> {
    let mut info = lookup(schema, name)?;
    if info.is_analyzed()
        && let Some(spec) = schema.resolve(name).map(|r| r.spec)
        && let Some(exact) = spec.multi_fields.iter().find(|f| f.ty.is_string_like())
    {
        info.ty = Some(exact.ty.clone());
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_multi_fields_read_their_source() {
        let mapping = r#"{"properties": {
            "event_type": {"type": "keyword"},
            "event": {"properties": {"category": {"type": "alias", "path": "event_type"}}},
            "file_name": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
            "d": {"type": "date", "format": "yyyy-MM-dd"}
        }}"#;
        let schema = Schema::from_es_mapping("test", mapping).expect("mapping");
        let category = lookup(&schema, "event.category").expect("known");
        assert_eq!(category.read_path, "event_type");
        assert!(category.is_plain_keyword());
        let sub = lookup(&schema, "file_name.keyword").expect("known");
        assert_eq!(sub.read_path, "file_name");
        assert!(lookup(&schema, "file_name").expect("known").is_analyzed());
        assert!(lookup_exact(&schema, "file_name").expect("known").is_plain_keyword());
        assert_eq!(
            lookup(&schema, "d").and_then(|d| d.date().map(|(f, _)| f.to_string())).as_deref(),
            Some("yyyy-MM-dd")
        );
        assert!(lookup(&schema, "nope").is_none());
    }
}
