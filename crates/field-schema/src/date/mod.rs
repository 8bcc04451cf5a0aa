//! Elasticsearch date `format`s: compiled from a mapping's format string (named
//! built-in formats, Java-style patterns, `||` alternatives) and applied to field values.
//!
//! Source: ES reference, "Mapping parameters › format" and "Date field type". A value
//! is tried against each alternative in order; the first that reads the whole value
//! wins. A JSON number is read through its text, as ES does (`"1"` and `1` are the
//! same under `epoch_millis`).

mod calendar;
mod iso;
mod pattern;

use std::fmt;
use std::sync::LazyLock;

use miette::Diagnostic;
use thiserror::Error;

use iso::IsoShape;
use pattern::Item;

/// ES's format for a `date` field without `format`.
pub const DEFAULT_DATE_FORMAT: &str = "strict_date_optional_time||epoch_millis";
/// ES's format for a `date_nanos` field without `format`.
pub const DEFAULT_DATE_NANOS_FORMAT: &str = "strict_date_optional_time_nanos||epoch_millis";

static DEFAULT_DATE: LazyLock<DateFormat> =
    LazyLock::new(|| DateFormat::parse(DEFAULT_DATE_FORMAT).expect("the default format parses"));
static DEFAULT_DATE_NANOS: LazyLock<DateFormat> = LazyLock::new(|| {
    DateFormat::parse(DEFAULT_DATE_NANOS_FORMAT).expect("the default nanos format parses")
});

const NANOS_PER_MILLI: i128 = 1_000_000;

/// A compiled date format. Compares equal by its source text.
#[derive(Clone)]
pub struct DateFormat {
    source: String,
    alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone)]
enum Alternative {
    /// `epoch_millis`: `-?digits(.digits{1,6})?` milliseconds.
    EpochMillis,
    /// `epoch_second`: `-?digits(.digits{1,9})?` seconds.
    EpochSecond,
    /// A named ISO-shaped format.
    Iso(IsoShape),
    /// A Java-style pattern.
    Pattern(Vec<Item>),
}

/// Why a `format` string cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum DateFormatError {
    /// The format (or one `||` alternative) is empty.
    #[error("empty date format alternative in `{format}`")]
    #[diagnostic(
        code(schema::date_format::empty),
        help("remove the stray `||` or write a format such as `yyyy-MM-dd`")
    )]
    Empty {
        /// The whole format string.
        format: String,
    },
    /// A lower-case name with `_` that is no built-in format.
    #[error("unknown built-in date format `{name}`")]
    #[diagnostic(
        code(schema::date_format::unknown_name),
        help(
            "built-in formats include strict_date_optional_time, date_optional_time, epoch_millis, epoch_second, date, date_time, basic_date"
        )
    )]
    UnknownName {
        /// The name as written.
        name: String,
    },
    /// A pattern letter (or letter count) this reader does not implement.
    #[error("unsupported pattern letters `{letters}` in date format `{pattern}`")]
    #[diagnostic(
        code(schema::date_format::unsupported_letter),
        help(
            "supported: y/u (year), M/MM/MMM/MMMM (month), d, H, m, s, S…S (fraction), Z/X/x (offset), 'quoted text', [optional]"
        )
    )]
    UnsupportedLetter {
        /// The run of letters, e.g. `EEE`.
        letters: String,
        /// The pattern it appears in.
        pattern: String,
    },
    /// A `'` without its closing quote.
    #[error("unterminated quote in date format `{pattern}`")]
    #[diagnostic(code(schema::date_format::quote), help("close the literal with `'`"))]
    UnterminatedQuote {
        /// The pattern.
        pattern: String,
    },
    /// `[` and `]` do not pair up.
    #[error("unbalanced `[` `]` in date format `{pattern}`")]
    #[diagnostic(code(schema::date_format::bracket))]
    UnbalancedBracket {
        /// The pattern.
        pattern: String,
    },
}

impl DateFormat {
    /// Compiles a mapping `format` string.
    pub fn parse(source: &str) -> Result<DateFormat, DateFormatError> {
        let alternatives = source
            .split("||")
            .map(|part| compile_alternative(part, source))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DateFormat { source: source.to_owned(), alternatives })
    }

    /// ES's default for `date` fields: `strict_date_optional_time||epoch_millis`.
    pub fn default_date() -> &'static DateFormat {
        &DEFAULT_DATE
    }

    /// ES's default for `date_nanos` fields: `strict_date_optional_time_nanos||epoch_millis`.
    pub fn default_date_nanos() -> &'static DateFormat {
        &DEFAULT_DATE_NANOS
    }

    /// The format string as written in the mapping.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The instant `text` names, in milliseconds since the Unix epoch (sub-millisecond
    /// digits are dropped, rounding towards the past), or `None` if no alternative
    /// reads it.
    pub fn parse_millis(&self, text: &str) -> Option<i64> {
        let nanos = self.parse_epoch_nanos(text)?;
        i64::try_from(nanos.div_euclid(NANOS_PER_MILLI)).ok()
    }

    /// The instant `text` names, in nanoseconds since the Unix epoch, as a
    /// `date_nanos` field stores it: `None` if unreadable or outside
    /// 1970-01-01..2262-04-11 (ES refuses instants before the epoch there).
    pub fn parse_nanos(&self, text: &str) -> Option<i64> {
        let nanos = self.parse_epoch_nanos(text)?;
        if nanos < 0 {
            return None;
        }
        i64::try_from(nanos).ok()
    }

    /// [`DateFormat::parse_millis`] for a JSON value: a string, or a number read
    /// through its text. Anything else is `None`.
    pub fn millis_of_value(&self, value: &serde_json::Value) -> Option<i64> {
        self.parse_millis(&value_text(value)?)
    }

    /// [`DateFormat::parse_nanos`] for a JSON value.
    pub fn nanos_of_value(&self, value: &serde_json::Value) -> Option<i64> {
        self.parse_nanos(&value_text(value)?)
    }

    fn parse_epoch_nanos(&self, text: &str) -> Option<i128> {
        self.alternatives.iter().find_map(|alternative| match alternative {
            Alternative::EpochMillis => epoch_nanos(text, 6, NANOS_PER_MILLI),
            Alternative::EpochSecond => epoch_nanos(text, 9, 1_000_000_000),
            Alternative::Iso(shape) => shape.read(text)?.to_epoch_nanos(),
            Alternative::Pattern(items) => pattern::read(items, text)?.to_epoch_nanos(),
        })
    }
}

/// Reads `value` (string, or number through its text) with `format` as epoch
/// milliseconds: what a `date` field with that format indexes.
pub fn parse_date(value: &serde_json::Value, format: &DateFormat) -> Option<i64> {
    format.millis_of_value(value)
}

fn value_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn compile_alternative(part: &str, whole: &str) -> Result<Alternative, DateFormatError> {
    match part {
        "" => Err(DateFormatError::Empty { format: whole.to_owned() }),
        "epoch_millis" => Ok(Alternative::EpochMillis),
        "epoch_second" => Ok(Alternative::EpochSecond),
        name => {
            if let Some(shape) = IsoShape::named(name) {
                Ok(Alternative::Iso(shape))
            } else if name.contains('_')
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                Err(DateFormatError::UnknownName { name: name.to_owned() })
            } else {
                pattern::compile(name).map(Alternative::Pattern)
            }
        }
    }
}

/// `-?digits(.fraction)?` in units of `unit_nanos`, the fraction at most
/// `max_fraction` digits.
fn epoch_nanos(text: &str, max_fraction: usize, unit_nanos: i128) -> Option<i128> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (unsigned, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 19 || fraction.len() > max_fraction {
        return None;
    }
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let mut nanos = whole.checked_mul(unit_nanos)?;
    if !fraction.is_empty() {
        let digits: i128 = fraction.parse().ok()?;
        let scale = 10_i128.pow(u32::try_from(fraction.len()).ok()?);
        nanos += digits * unit_nanos / scale;
    }
    Some(if negative { -nanos } else { nanos })
}

impl fmt::Debug for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateFormat({:?})", self.source)
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq for DateFormat {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for DateFormat {}
