//! Elasticsearch field data types: the set Warden tells apart, named as in a mapping's `type`.

use std::fmt;

/// The data type of one mapped field, as written in an Elasticsearch mapping's `type`.
///
/// Families follow the ES "Field data types" reference page: the keyword family is
/// `keyword`, `constant_keyword` and `wildcard`; the text family is `text` and
/// `match_only_text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// `keyword`: exact, case-sensitive, whole-value string.
    Keyword,
    /// `constant_keyword`: a keyword with one value for the whole index.
    ConstantKeyword,
    /// `wildcard`: a keyword-family string optimised for wildcard and regexp queries.
    Wildcard,
    /// `text`: analysed full text.
    Text,
    /// `match_only_text`: analysed full text without positions or scoring.
    MatchOnlyText,
    /// `long`: signed 64-bit integer.
    Long,
    /// `integer`: signed 32-bit integer.
    Integer,
    /// `short`: signed 16-bit integer.
    Short,
    /// `byte`: signed 8-bit integer.
    Byte,
    /// `double`: 64-bit float.
    Double,
    /// `float`: 32-bit float.
    Float,
    /// `half_float`: 16-bit float.
    HalfFloat,
    /// `scaled_float`: a float stored as a long scaled by a fixed factor.
    ScaledFloat,
    /// `unsigned_long`: unsigned 64-bit integer.
    UnsignedLong,
    /// `date`: millisecond-resolution instant.
    Date,
    /// `date_nanos`: nanosecond-resolution instant.
    DateNanos,
    /// `boolean`.
    Boolean,
    /// `ip`: IPv4 or IPv6 address (term queries accept CIDR).
    Ip,
    /// `version`: semantic-version ordering of strings.
    Version,
    /// `object`: a container of sub-fields (also the type of a mapping entry without `type`).
    Object,
    /// `nested`: a container whose array elements are indexed as separate documents.
    Nested,
    /// `flattened`: a whole object indexed as keyword leaves.
    Flattened,
    /// `geo_point`: latitude/longitude.
    GeoPoint,
    /// `alias`: another name for the concrete field at `path` (a full dotted path).
    Alias(String),
    /// Any other type name, kept as written.
    Other(String),
}

impl FieldType {
    /// The type for a mapping `type` name. `alias` needs a target path, so it is not
    /// produced here: the name `"alias"` gives `Other("alias")`; use [`FieldType::Alias`].
    pub fn from_es_name(name: &str) -> FieldType {
        match name {
            "keyword" => FieldType::Keyword,
            "constant_keyword" => FieldType::ConstantKeyword,
            "wildcard" => FieldType::Wildcard,
            "text" => FieldType::Text,
            "match_only_text" => FieldType::MatchOnlyText,
            "long" => FieldType::Long,
            "integer" => FieldType::Integer,
            "short" => FieldType::Short,
            "byte" => FieldType::Byte,
            "double" => FieldType::Double,
            "float" => FieldType::Float,
            "half_float" => FieldType::HalfFloat,
            "scaled_float" => FieldType::ScaledFloat,
            "unsigned_long" => FieldType::UnsignedLong,
            "date" => FieldType::Date,
            "date_nanos" => FieldType::DateNanos,
            "boolean" => FieldType::Boolean,
            "ip" => FieldType::Ip,
            "version" => FieldType::Version,
            "object" => FieldType::Object,
            "nested" => FieldType::Nested,
            "flattened" => FieldType::Flattened,
            "geo_point" => FieldType::GeoPoint,
            other => FieldType::Other(other.to_owned()),
        }
    }

    /// The mapping `type` name (`"alias"` for an alias).
    pub fn es_name(&self) -> &str {
        match self {
            FieldType::Keyword => "keyword",
            FieldType::ConstantKeyword => "constant_keyword",
            FieldType::Wildcard => "wildcard",
            FieldType::Text => "text",
            FieldType::MatchOnlyText => "match_only_text",
            FieldType::Long => "long",
            FieldType::Integer => "integer",
            FieldType::Short => "short",
            FieldType::Byte => "byte",
            FieldType::Double => "double",
            FieldType::Float => "float",
            FieldType::HalfFloat => "half_float",
            FieldType::ScaledFloat => "scaled_float",
            FieldType::UnsignedLong => "unsigned_long",
            FieldType::Date => "date",
            FieldType::DateNanos => "date_nanos",
            FieldType::Boolean => "boolean",
            FieldType::Ip => "ip",
            FieldType::Version => "version",
            FieldType::Object => "object",
            FieldType::Nested => "nested",
            FieldType::Flattened => "flattened",
            FieldType::GeoPoint => "geo_point",
            FieldType::Alias(_) => "alias",
            FieldType::Other(name) => name,
        }
    }

    /// Keyword family (`keyword`, `constant_keyword`, `wildcard`): values are matched
    /// exactly and case-sensitively as whole strings.
    pub fn is_string_like(&self) -> bool {
        matches!(self, FieldType::Keyword | FieldType::ConstantKeyword | FieldType::Wildcard)
    }

    /// Text family (`text`, `match_only_text`): values are analysed into tokens, so
    /// matching is per token and case-insensitive under the standard analyzer.
    pub fn is_analyzed(&self) -> bool {
        matches!(self, FieldType::Text | FieldType::MatchOnlyText)
    }

    /// Whether a query value must be a number (any integer or floating type).
    pub fn is_numeric(&self) -> bool {
        self.is_integer() || self.is_floating_point()
    }

    /// `long`, `integer`, `short`, `byte`, `unsigned_long`.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            FieldType::Long
                | FieldType::Integer
                | FieldType::Short
                | FieldType::Byte
                | FieldType::UnsignedLong
        )
    }

    /// `double`, `float`, `half_float`, `scaled_float`.
    pub fn is_floating_point(&self) -> bool {
        matches!(
            self,
            FieldType::Double | FieldType::Float | FieldType::HalfFloat | FieldType::ScaledFloat
        )
    }

    /// `date` or `date_nanos`.
    pub fn is_date(&self) -> bool {
        matches!(self, FieldType::Date | FieldType::DateNanos)
    }

    /// `object` or `nested`: a container of sub-fields, not a searchable value.
    pub fn is_container(&self) -> bool {
        matches!(self, FieldType::Object | FieldType::Nested)
    }

    /// The target path when this is an alias.
    pub fn alias_target(&self) -> Option<&str> {
        match self {
            FieldType::Alias(path) => Some(path),
            _ => None,
        }
    }

    /// A concrete field that holds values: not a container and not an alias. Only
    /// such a field may carry multi-fields (ES rejects `fields` elsewhere).
    pub fn is_value_field(&self) -> bool {
        !self.is_container() && self.alias_target().is_none()
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Alias(path) => write!(f, "alias -> {path}"),
            other => f.write_str(other.es_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FieldType;

    #[test]
    fn every_known_name_round_trips() {
        let names = [
            "keyword",
            "constant_keyword",
            "wildcard",
            "text",
            "match_only_text",
            "long",
            "integer",
            "short",
            "byte",
            "double",
            "float",
            "half_float",
            "scaled_float",
            "unsigned_long",
            "date",
            "date_nanos",
            "boolean",
            "ip",
            "version",
            "object",
            "nested",
            "flattened",
            "geo_point",
            "histogram",
        ];
        for name in names {
            assert_eq!(FieldType::from_es_name(name).es_name(), name);
        }
        assert_eq!(FieldType::from_es_name("histogram"), FieldType::Other("histogram".into()));
    }

    #[test]
    fn families() {
        assert!(FieldType::Wildcard.is_string_like());
        assert!(!FieldType::Text.is_string_like());
        assert!(FieldType::MatchOnlyText.is_analyzed());
        assert!(FieldType::UnsignedLong.is_numeric());
        assert!(FieldType::ScaledFloat.is_numeric());
        assert!(!FieldType::Ip.is_numeric());
        assert!(FieldType::DateNanos.is_date());
        assert!(FieldType::Nested.is_container());
        assert!(!FieldType::Alias("a".into()).is_value_field());
        assert_eq!(FieldType::Alias("a".into()).alias_target(), Some("a"));
    }
}
