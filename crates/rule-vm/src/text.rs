//! The text and number views of a JSON scalar, and case folding.
//!
//! Elasticsearch indexes a JSON number or boolean sent to a `keyword` field as its text
//! (`4702` becomes `"4702"`, `true` becomes `"true"`; ES keyword field docs), so string tests
//! compare that text. Case-insensitive tests fold both sides with [`fold_char`], a one-to-one
//! char mapping (a char whose lowercase is several chars is kept as is), so a folded string has
//! the same number of chars as the original and `?` wildcards still count chars.

use serde_json::Value;
use std::fmt::Write as _;

/// A scalar seen by a test: a JSON leaf or a script value, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'v> {
    /// A string.
    Str(&'v str),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer too large for `i64`.
    UInt(u64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl<'v> Scalar<'v> {
    /// The scalar view of a JSON value; `None` for null, arrays and objects.
    pub fn from_json(value: &'v Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(Scalar::Str(s)),
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Number(n) => Some(if let Some(i) = n.as_i64() {
                Scalar::Int(i)
            } else if let Some(u) = n.as_u64() {
                Scalar::UInt(u)
            } else {
                Scalar::Float(n.as_f64().unwrap_or(f64::NAN))
            }),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The text of the scalar: strings as they are, numbers and booleans written into `buf`
    /// (which is cleared first; no allocation once `buf` has grown).
    pub fn text<'b>(self, buf: &'b mut String) -> &'b str
    where
        'v: 'b,
    {
        match self {
            Scalar::Str(s) => s,
            Scalar::Bool(true) => "true",
            Scalar::Bool(false) => "false",
            Scalar::Int(i) => {
                buf.clear();
                let _ = write!(buf, "{i}");
                buf
            }
            Scalar::UInt(u) => {
                buf.clear();
                let _ = write!(buf, "{u}");
                buf
            }
            Scalar::Float(f) => {
                buf.clear();
                write_float(buf, f);
                buf
            }
        }
    }

    /// The numeric view: numbers as they are, strings that parse as a number (after trimming
    /// spaces), nothing for booleans.
    pub fn number(self) -> Option<f64> {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Scalar::Int(i) => Some(i as f64),
            #[allow(clippy::cast_precision_loss)]
            Scalar::UInt(u) => Some(u as f64),
            Scalar::Float(f) => Some(f),
            Scalar::Str(s) => parse_number(s),
            Scalar::Bool(_) => None,
        }
    }
}

/// Writes a float the way a JSON serializer would: integral values keep a `.0`.
pub(crate) fn write_float(buf: &mut String, f: f64) {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        let _ = write!(buf, "{f:.1}");
    } else {
        let _ = write!(buf, "{f}");
    }
}

/// Parses a decimal number (integer or float, optional sign and exponent) from `s`, ignoring
/// surrounding whitespace. Returns `None` for anything else, including `NaN` and `inf`.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Folds one char for case-insensitive comparison (one char in, one char out).
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Writes the case-folded form of `s` into `out` (cleared first).
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    out.extend(s.chars().map(fold_char));
}

/// The case-folded form of `s`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// The text of a JSON scalar (see [`Scalar::text`]); `None` for null, arrays and objects.
/// The engine uses this for join keys and new-terms values.
pub fn json_text<'v>(value: &'v Value, buf: &'v mut String) -> Option<&'v str> {
    Scalar::from_json(value).map(|scalar| scalar.text(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_booleans_have_their_json_text() {
        let mut buf = String::new();
        assert_eq!(json_text(&json!(4702), &mut buf), Some("4702"));
        assert_eq!(json_text(&json!(-3), &mut buf), Some("-3"));
        assert_eq!(json_text(&json!(1.5), &mut buf), Some("1.5"));
        assert_eq!(json_text(&json!(2.0), &mut buf), Some("2.0"));
        assert_eq!(json_text(&json!(true), &mut buf), Some("true"));
        assert_eq!(json_text(&json!("x"), &mut buf), Some("x"));
        assert_eq!(json_text(&json!(null), &mut buf), None);
    }

    #[test]
    fn numeric_strings_parse() {
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number("-1.5e2"), Some(-150.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1a"), None);
    }

    #[test]
    fn folding_keeps_char_count() {
        assert_eq!(fold("CMD.EXE"), "cmd.exe");
        assert_eq!(fold("ÄÖ"), "äö");
        assert_eq!(fold("İ").chars().count(), 1);
    }
}
