//! `FieldSpec`: what a schema knows about one dotted field path.

use crate::date::DateFormat;
use crate::field_type::FieldType;

/// A multi-field (`fields` in a mapping, `multi_fields` in ECS) of a value field:
/// the same source value indexed a second way under `<parent>.<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiField {
    /// The sub-field's own name (`text`, `keyword`, `caseless`).
    pub name: String,
    /// Its type.
    pub ty: FieldType,
}

/// The mapping of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field's type.
    pub ty: FieldType,
    /// The mapping's `format` (date fields); `None` means ES's default, see
    /// [`FieldSpec::date_format`].
    pub format: Option<DateFormat>,
    /// The mapping's `null_value`: what ES indexes for an explicit JSON `null`
    /// (ES reference, "Mapping parameters › `null_value`"). A missing field or `[]`
    /// does not get it.
    pub null_value: Option<serde_json::Value>,
    /// `ignore_above` (keyword family): longer strings are not indexed, so no term,
    /// wildcard or exists query finds them (ES reference, "`ignore_above`").
    pub ignore_above: Option<u32>,
    /// The multi-fields under this field, in mapping order.
    pub multi_fields: Vec<MultiField>,
    /// When this entry is itself a multi-field: the parent field's path. Its values
    /// are the parent's source values (`file.path.text` reads `file.path`).
    pub multi_field_of: Option<String>,
}

impl FieldSpec {
    /// A field of type `ty` with no other mapping parameters.
    pub fn new(ty: FieldType) -> FieldSpec {
        FieldSpec {
            ty,
            format: None,
            null_value: None,
            ignore_above: None,
            multi_fields: Vec::new(),
            multi_field_of: None,
        }
    }

    /// The date format values of this field are read with: the mapping's `format`,
    /// or ES's default for `date` / `date_nanos`. `None` for other types.
    pub fn date_format(&self) -> Option<&DateFormat> {
        match (&self.format, &self.ty) {
            (Some(format), _) => Some(format),
            (None, FieldType::Date) => Some(DateFormat::default_date()),
            (None, FieldType::DateNanos) => Some(DateFormat::default_date_nanos()),
            (None, _) => None,
        }
    }

    /// The multi-field called `name`, if this field has one.
    pub fn multi_field(&self, name: &str) -> Option<&MultiField> {
        self.multi_fields.iter().find(|field| field.name == name)
    }
}
