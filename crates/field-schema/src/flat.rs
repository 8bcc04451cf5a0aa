//! Flat schemas: `{"field": "type"}` JSON (endgame, endpoint, `--schema` files; nested
//! objects are read as dotted prefixes, as detection-rules' `flatten` does), and the
//! `path<TAB>type[<TAB>key=value…]` table the built-in data is stored in.

use miette::{NamedSource, SourceSpan};
use serde_json::Value;

use crate::date::DateFormat;
use crate::error::{SchemaError, TsvLineError, parse_json};
use crate::field_type::FieldType;
use crate::schema::Schema;
use crate::spec::FieldSpec;

impl Schema {
    /// Loads a flat `{"field.path": "type", …}` JSON object. A nested object is a
    /// prefix (`{"winlog": {"event_data": {"X": "keyword"}}}` is `winlog.event_data.X`),
    /// so a key named `type` inside one is a field, not a mapping parameter. A flat
    /// schema cannot express an alias (no target), so `"alias"` is an error.
    pub fn from_flat_json(origin: &str, text: &str) -> Result<Schema, SchemaError> {
        Schema::from_flat_value(origin, &parse_json(origin, text)?)
    }

    /// [`Schema::from_flat_json`] for already-parsed JSON.
    pub fn from_flat_value(origin: &str, value: &Value) -> Result<Schema, SchemaError> {
        let object = value.as_object().ok_or_else(|| SchemaError::Shape {
            origin: origin.to_owned(),
            path: "<root>".to_owned(),
            message: "a flat schema must be a JSON object of field -> type".to_owned(),
        })?;
        let mut fields = Vec::new();
        flatten_types(origin, "", object, &mut fields)?;
        Ok(fields.into_iter().collect())
    }

    /// Loads a `path<TAB>type` table. Blank lines and lines starting with `#` are
    /// skipped. Optional further columns are `key=value` attributes: `ignore_above=N`,
    /// `path=<alias target>` (for type `alias`), `format=<date format>`,
    /// `null_value=<JSON>`. A path directly under a value field is its multi-field.
    pub fn from_tsv(origin: &str, text: &str) -> Result<Schema, SchemaError> {
        let mut fields = Vec::new();
        let mut line_start = 0;
        for (index, line) in text.split('\n').enumerate() {
            let span = SourceSpan::from((line_start, line.len()));
            line_start += line.len() + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let field = read_tsv_line(line).map_err(|message| {
                SchemaError::Tsv(Box::new(TsvLineError {
                    origin: origin.to_owned(),
                    line: index + 1,
                    message,
                    src: NamedSource::new(origin, text.to_owned()),
                    span,
                }))
            })?;
            fields.push(field);
        }
        Ok(fields.into_iter().collect())
    }

    /// The schema as a `path<TAB>type[<TAB>key=value…]` table, readable by
    /// [`Schema::from_tsv`]. Multi-field entries are listed like any other path.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for (path, spec) in self.iter() {
            out.push_str(path);
            out.push('\t');
            out.push_str(spec.ty.es_name());
            if let Some(target) = spec.ty.alias_target() {
                out.push_str("\tpath=");
                out.push_str(target);
            }
            if let Some(limit) = spec.ignore_above {
                out.push_str("\tignore_above=");
                out.push_str(&limit.to_string());
            }
            if let Some(format) = &spec.format {
                out.push_str("\tformat=");
                out.push_str(format.source());
            }
            if let Some(null_value) = &spec.null_value {
                out.push_str("\tnull_value=");
                out.push_str(&null_value.to_string());
            }
            out.push('\n');
        }
        out
    }
}

/// Adds each `path -> type` of a nested type tree to `fields`.
pub(crate) fn flatten_types(
    origin: &str,
    prefix: &str,
    object: &serde_json::Map<String, Value>,
    fields: &mut Vec<(String, FieldSpec)>,
) -> Result<(), SchemaError> {
    for (key, value) in object {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::String(name) if name == "alias" => {
                return Err(SchemaError::Shape {
                    origin: origin.to_owned(),
                    path,
                    message: "a flat schema cannot declare an alias (it has no target path); \
                              use an Elasticsearch mapping or a TSV `path=` attribute"
                        .to_owned(),
                });
            }
            Value::String(name) => {
                fields.push((path, FieldSpec::new(FieldType::from_es_name(name))));
            }
            Value::Object(inner) => flatten_types(origin, &path, inner, fields)?,
            _ => {
                return Err(SchemaError::Shape {
                    origin: origin.to_owned(),
                    path,
                    message: "a type must be a string (or an object of sub-fields)".to_owned(),
                });
            }
        }
    }
    Ok(())
}

fn read_tsv_line(line: &str) -> Result<(String, FieldSpec), String> {
    let mut columns = line.split('\t');
    let path = columns.next().unwrap_or_default();
    if path.is_empty() || path.contains(' ') {
        return Err(format!("`{path}` is not a field path"));
    }
    let type_name = columns
        .next()
        .filter(|name| !name.is_empty())
        .ok_or_else(|| format!("`{path}` has no type column (columns are TAB-separated)"))?;
    let mut spec = FieldSpec::new(FieldType::from_es_name(type_name));
    let mut alias_target = None;
    for attribute in columns {
        let (key, value) = attribute
            .split_once('=')
            .ok_or_else(|| format!("attribute `{attribute}` is not `key=value`"))?;
        match key {
            "ignore_above" => {
                spec.ignore_above = Some(
                    value.parse().map_err(|_| format!("ignore_above `{value}` is not a number"))?,
                );
            }
            "path" => alias_target = Some(value.to_owned()),
            "format" => {
                spec.format = Some(DateFormat::parse(value).map_err(|error| error.to_string())?);
            }
            "null_value" => {
                spec.null_value = Some(
                    serde_json::from_str(value)
                        .map_err(|error| format!("null_value `{value}` is not JSON: {error}"))?,
                );
            }
            other => return Err(format!("unknown attribute `{other}`")),
        }
    }
    match (type_name, alias_target) {
        ("alias", Some(target)) => spec.ty = FieldType::Alias(target),
        ("alias", None) => return Err(format!("alias `{path}` has no `path=` attribute")),
        (_, Some(_)) => return Err("`path=` is only allowed on an alias".to_owned()),
        (_, None) => {}
    }
    Ok((path.to_owned(), spec))
}
