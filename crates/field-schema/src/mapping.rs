//! Loading an Elasticsearch mapping (a create-index body or a `GET _mapping`
//! response) into a [`Schema`], plus the ES EQL QA suite's mapping-file conventions.
//!
//! Mapping rules followed (ES reference, "Mapping" › "Field data types", "Mapping
//! parameters"): an entry without `type` is an `object`; `object` and `nested` hold
//! `properties`; `type: alias` needs `path` (a full path to a value field that is not
//! another alias); `fields` declares multi-fields of a value field; dotted property
//! names are paths.

use serde_json::{Map, Value};

use crate::date::DateFormat;
use crate::error::{SchemaError, parse_json};
use crate::field_type::FieldType;
use crate::schema::Schema;
use crate::spec::{FieldSpec, MultiField};

/// The placeholder ES's QA mappings use where the loader picks `keyword` or
/// `wildcard` at random (`DataLoader.java`, EQL QA).
pub const QA_KEYWORD_PLACEHOLDER: &str = "[runtime_random_keyword_type]";

impl Schema {
    /// Loads an Elasticsearch mapping JSON: `{"mappings":{"properties":…}}`,
    /// `{"properties":…}`, or a `GET _mapping` response `{"<index>":{"mappings":…}, …}`
    /// (several indices are overlaid in order). `origin` names the source in errors.
    pub fn from_es_mapping(origin: &str, text: &str) -> Result<Schema, SchemaError> {
        Schema::from_es_mapping_value(origin, &parse_json(origin, text)?)
    }

    /// [`Schema::from_es_mapping`] for already-parsed JSON.
    pub fn from_es_mapping_value(origin: &str, value: &Value) -> Result<Schema, SchemaError> {
        let root_error = |message: &str| SchemaError::MappingRoot {
            origin: origin.to_owned(),
            message: message.to_owned(),
        };
        let top = value.as_object().ok_or_else(|| root_error("the top level is not an object"))?;
        if let Some(mappings) = top.get("mappings") {
            return read_mappings(origin, mappings);
        }
        if top.contains_key("properties") {
            return read_mappings(origin, value);
        }
        let index_mappings: Option<Vec<&Value>> = top
            .values()
            .map(|index| index.as_object().and_then(|index| index.get("mappings")))
            .collect();
        match index_mappings {
            Some(all) if !all.is_empty() => {
                let mut schema = Schema::new();
                for mappings in all {
                    schema.overlay(&read_mappings(origin, mappings)?);
                }
                Ok(schema)
            }
            _ => Err(root_error(
                "no `mappings`, `properties` or `<index>.mappings` at the top level",
            )),
        }
    }

    /// Loads a mapping file of ES's EQL QA suite: see [`es_qa_mapping_text`].
    pub fn from_es_qa_mapping(origin: &str, text: &str) -> Result<Schema, SchemaError> {
        Schema::from_es_mapping(origin, &es_qa_mapping_text(text, "keyword"))
    }
}

/// Applies the EQL QA `DataLoader` conventions to a mapping file's text: lines
/// starting with `#` are dropped, and [`QA_KEYWORD_PLACEHOLDER`] becomes `string_type`
/// (ES picks `keyword` or `wildcard` at random; results must not depend on which).
pub fn es_qa_mapping_text(text: &str, string_type: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.replace(QA_KEYWORD_PLACEHOLDER, string_type))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the body of `mappings` (which holds `properties`).
fn read_mappings(origin: &str, mappings: &Value) -> Result<Schema, SchemaError> {
    let object = mappings.as_object().ok_or_else(|| SchemaError::MappingRoot {
        origin: origin.to_owned(),
        message: "`mappings` is not an object".to_owned(),
    })?;
    let mut reader = Reader { origin, fields: Vec::new() };
    match object.get("properties") {
        Some(properties) => reader.read_properties("", properties)?,
        // A pre-7.0 typed mapping: {"mappings": {"_doc": {"properties": …}}}.
        None => {
            for typed in object.values().filter_map(Value::as_object) {
                if let Some(properties) = typed.get("properties") {
                    reader.read_properties("", properties)?;
                }
            }
        }
    }
    let schema: Schema = reader.fields.into_iter().collect();
    check_aliases(origin, &schema)?;
    Ok(schema)
}

struct Reader<'a> {
    origin: &'a str,
    fields: Vec<(String, FieldSpec)>,
}

impl Reader<'_> {
    fn shape(&self, path: &str, message: impl Into<String>) -> SchemaError {
        SchemaError::Shape {
            origin: self.origin.to_owned(),
            path: if path.is_empty() { "<root>" } else { path }.to_owned(),
            message: message.into(),
        }
    }

    fn read_properties(&mut self, prefix: &str, properties: &Value) -> Result<(), SchemaError> {
        let properties = properties
            .as_object()
            .ok_or_else(|| self.shape(prefix, "`properties` must be an object"))?;
        for (name, definition) in properties {
            let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
            self.read_field(&path, definition)?;
        }
        Ok(())
    }

    fn read_field(&mut self, path: &str, definition: &Value) -> Result<(), SchemaError> {
        let definition = definition
            .as_object()
            .ok_or_else(|| self.shape(path, "a field definition must be an object"))?;
        let ty = match definition.get("type") {
            None => FieldType::Object,
            Some(Value::String(name)) if name == "alias" => match definition.get("path") {
                Some(Value::String(target)) => FieldType::Alias(target.clone()),
                _ => {
                    return Err(SchemaError::AliasWithoutPath {
                        origin: self.origin.to_owned(),
                        path: path.to_owned(),
                    });
                }
            },
            Some(Value::String(name)) => FieldType::from_es_name(name),
            Some(_) => return Err(self.shape(path, "`type` must be a string")),
        };
        let spec = self.read_parameters(path, ty, definition)?;
        let is_container = spec.ty.is_container();
        let is_value = spec.ty.is_value_field();
        self.fields.push((path.to_owned(), spec));
        match definition.get("properties") {
            Some(properties) if is_container => self.read_properties(path, properties)?,
            Some(_) => {
                return Err(
                    self.shape(path, "only `object` and `nested` fields can have `properties`")
                );
            }
            None => {}
        }
        if let Some(multi_fields) = definition.get("fields") {
            if !is_value {
                return Err(self.shape(path, "only value fields can have multi-fields (`fields`)"));
            }
            self.read_multi_fields(path, multi_fields)?;
        }
        Ok(())
    }

    fn read_multi_fields(&mut self, parent: &str, fields: &Value) -> Result<(), SchemaError> {
        let fields =
            fields.as_object().ok_or_else(|| self.shape(parent, "`fields` must be an object"))?;
        let parent_index = self.fields.len() - 1;
        for (name, definition) in fields {
            let path = format!("{parent}.{name}");
            let object = definition
                .as_object()
                .ok_or_else(|| self.shape(&path, "a multi-field definition must be an object"))?;
            let ty = match object.get("type") {
                Some(Value::String(name)) => FieldType::from_es_name(name),
                _ => return Err(self.shape(&path, "a multi-field needs a string `type`")),
            };
            if !ty.is_value_field() || ty == FieldType::Other("alias".into()) {
                return Err(self.shape(&path, format!("a multi-field cannot be of type `{ty}`")));
            }
            if object.contains_key("properties") || object.contains_key("fields") {
                return Err(self.shape(&path, "a multi-field cannot have sub-fields"));
            }
            let mut spec = self.read_parameters(&path, ty.clone(), object)?;
            spec.multi_field_of = Some(parent.to_owned());
            self.fields[parent_index].1.multi_fields.push(MultiField { name: name.clone(), ty });
            self.fields.push((path, spec));
        }
        Ok(())
    }

    /// `format`, `null_value` and `ignore_above`.
    fn read_parameters(
        &self,
        path: &str,
        ty: FieldType,
        definition: &Map<String, Value>,
    ) -> Result<FieldSpec, SchemaError> {
        let mut spec = FieldSpec::new(ty);
        spec.format = match definition.get("format") {
            None => None,
            Some(Value::String(format)) => {
                Some(DateFormat::parse(format).map_err(|source| SchemaError::DateFormat {
                    origin: self.origin.to_owned(),
                    path: path.to_owned(),
                    source,
                })?)
            }
            Some(_) => return Err(self.shape(path, "`format` must be a string")),
        };
        spec.null_value = definition.get("null_value").filter(|v| !v.is_null()).cloned();
        spec.ignore_above = match definition.get("ignore_above") {
            None => None,
            Some(value) => {
                Some(value.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                    self.shape(path, "`ignore_above` must be a non-negative integer")
                })?)
            }
        };
        Ok(spec)
    }
}

/// ES refuses an alias whose target is missing, another alias, or not a value field
/// (`FieldAliasMapper` validation messages).
fn check_aliases(origin: &str, schema: &Schema) -> Result<(), SchemaError> {
    for (path, spec) in schema.iter() {
        let Some(target) = spec.ty.alias_target() else {
            continue;
        };
        let reason = match schema.get(target) {
            None => Some("an alias must refer to an existing field in the mappings"),
            Some(target_spec) if target_spec.ty.alias_target().is_some() => {
                Some("an alias cannot refer to another alias")
            }
            Some(target_spec) if target_spec.ty.is_container() => {
                Some("an alias must refer to a value field, not an object")
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            return Err(SchemaError::AliasTarget {
                origin: origin.to_owned(),
                path: path.to_owned(),
                target: target.to_owned(),
                reason,
            });
        }
    }
    Ok(())
}
