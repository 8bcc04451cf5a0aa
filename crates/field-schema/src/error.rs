//! `SchemaError`: why a mapping, flat schema or TSV table could not be loaded.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::date::DateFormatError;

/// A schema source that cannot be loaded. Every variant names the source (`origin`,
/// usually a file name) and, where it applies, the dotted field path.
#[derive(Debug, Error, Diagnostic)]
pub enum SchemaError {
    /// The text is not JSON.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Json(Box<JsonSyntaxError>),
    /// The JSON has no `properties` where a mapping needs them.
    #[error("{origin}: not an Elasticsearch mapping: {message}")]
    #[diagnostic(
        code(schema::mapping_root),
        help(
            r#"expected {{"mappings":{{"properties":{{…}}}}}}, {{"properties":{{…}}}} or {{"<index>":{{"mappings":{{…}}}}}}"#
        )
    )]
    MappingRoot {
        /// The source's name.
        origin: String,
        /// What was found instead.
        message: String,
    },
    /// A value has the wrong JSON shape (a field definition that is not an object, a
    /// `type` that is not a string …).
    #[error("{origin}: field `{path}`: {message}")]
    #[diagnostic(code(schema::shape))]
    Shape {
        /// The source's name.
        origin: String,
        /// The dotted field path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `type: alias` without a string `path`.
    #[error("{origin}: alias field `{path}` has no `path`")]
    #[diagnostic(
        code(schema::alias_path),
        help(r#"an alias names its target: {{"type": "alias", "path": "event_type"}}"#)
    )]
    AliasWithoutPath {
        /// The source's name.
        origin: String,
        /// The alias's dotted path.
        path: String,
    },
    /// An alias whose target ES would refuse (missing, another alias, an object).
    #[error("{origin}: alias `{path}` -> `{target}`: {reason}")]
    #[diagnostic(code(schema::alias_target))]
    AliasTarget {
        /// The source's name.
        origin: String,
        /// The alias's dotted path.
        path: String,
        /// Its `path` value.
        target: String,
        /// Why ES rejects it.
        reason: &'static str,
    },
    /// A `format` this crate cannot read dates with.
    #[error("{origin}: field `{path}`: {source}")]
    #[diagnostic(code(schema::date_format))]
    DateFormat {
        /// The source's name.
        origin: String,
        /// The dotted field path.
        path: String,
        /// The format problem.
        #[source]
        #[diagnostic_source]
        source: DateFormatError,
    },
    /// A malformed line in a `path<TAB>type` table.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Tsv(Box<TsvLineError>),
}

/// Invalid JSON, with a label where `serde_json` stopped.
#[derive(Debug, Error, Diagnostic)]
#[error("{origin}: invalid JSON: {message}")]
#[diagnostic(code(schema::json))]
pub struct JsonSyntaxError {
    /// The source's name.
    pub origin: String,
    /// `serde_json`'s message.
    pub message: String,
    /// The text, for the label.
    #[source_code]
    pub src: NamedSource<String>,
    /// Where the parser stopped.
    #[label("here")]
    pub span: SourceSpan,
}

/// A malformed line in a `path<TAB>type` table.
#[derive(Debug, Error, Diagnostic)]
#[error("{origin}:{line}: {message}")]
#[diagnostic(
    code(schema::tsv),
    help("each line is `path<TAB>type`, optionally followed by `<TAB>key=value` attributes")
)]
pub struct TsvLineError {
    /// The source's name.
    pub origin: String,
    /// One-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// The text, for the label.
    #[source_code]
    pub src: NamedSource<String>,
    /// The offending line.
    #[label("this line")]
    pub span: SourceSpan,
}

/// Parses `text` as JSON, turning a syntax error into [`SchemaError::Json`] with a
/// label at `serde_json`'s line and column.
pub(crate) fn parse_json(origin: &str, text: &str) -> Result<serde_json::Value, SchemaError> {
    serde_json::from_str(text).map_err(|error| {
        let offset = byte_offset(text, error.line(), error.column());
        SchemaError::Json(Box::new(JsonSyntaxError {
            origin: origin.to_owned(),
            message: error.to_string(),
            src: NamedSource::new(origin, text.to_owned()),
            span: SourceSpan::from((offset, 0)),
        }))
    })
}

/// The byte offset of a one-based line and column (column 0 = before the line).
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize =
        text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::byte_offset;

    #[test]
    fn offsets_count_lines() {
        let text = "ab\ncd\nef";
        assert_eq!(byte_offset(text, 1, 1), 0);
        assert_eq!(byte_offset(text, 2, 2), 4);
        assert_eq!(byte_offset(text, 9, 9), text.len());
    }
}
