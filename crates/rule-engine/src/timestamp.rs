//! Event times: Elasticsearch's default `date` format to nanoseconds since the Unix epoch.
//!
//! Elasticsearch maps `@timestamp` with `strict_date_optional_time||epoch_millis` (the default
//! `date` format, "date" field type reference): an ISO-8601 date with optional time, fraction
//! (up to nanoseconds) and zone (none means UTC), or epoch milliseconds as a number or a digit
//! string. The formats are tried in that order, so `"2024"` is a year while `"1700000000000"`
//! is epoch millis. Dates are parsed with `jiff`; only the partial forms `yyyy` and `yyyy-MM`,
//! which jiff does not take, are completed to a first day here.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde_json::Value;

const NANOS_PER_MILLI: i64 = 1_000_000;

/// A point in time, in nanoseconds since 1970-01-01T00:00:00Z (years 1678 to 2262).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(i64);

/// Why a value is not a usable event time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The text is neither an ISO-8601 date nor epoch milliseconds.
    #[error(
        "`{0}` is not a date (expected ISO-8601 like 2024-05-01T10:00:00Z, or epoch milliseconds)"
    )]
    NotADate(String),
    /// A date outside what nanoseconds in 64 bits can hold.
    #[error("`{0}` is outside the supported years 1678-2262")]
    OutOfRange(String),
    /// A JSON value of a type that cannot hold a date (object, boolean).
    #[error("a {0} is not a date")]
    WrongType(&'static str),
}

impl EventTime {
    /// The time `nanos` nanoseconds after the epoch.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    /// The time `millis` milliseconds after the epoch, if representable.
    pub fn from_millis(millis: i64) -> Option<Self> {
        millis.checked_mul(NANOS_PER_MILLI).map(Self)
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Whole milliseconds since the epoch (rounded toward the past, as Elasticsearch stores
    /// a `date` field).
    pub const fn as_millis(self) -> i64 {
        self.0.div_euclid(NANOS_PER_MILLI)
    }

    /// This time as a `jiff` timestamp.
    pub fn to_jiff(self) -> Timestamp {
        Timestamp::from_nanosecond(i128::from(self.0))
            .expect("every i64 nanosecond count is inside jiff's range")
    }

    /// A `jiff` timestamp as an event time, if inside the supported range.
    pub fn from_jiff(timestamp: Timestamp) -> Option<Self> {
        i64::try_from(timestamp.as_nanosecond()).ok().map(Self)
    }

    /// `2024-05-01T10:00:00.000Z`: JavaScript's `Date.toISOString`, the spelling Kibana uses
    /// for `kibana.alert.original_time` (millisecond precision).
    pub fn to_iso_millis(self) -> String {
        self.to_jiff().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }

    /// Reads a JSON value as a date: a string (ISO-8601 or epoch-millis digits), a number
    /// (epoch millis), or an array (its first element, as Kibana reads `fields[name][0]`).
    pub fn from_json(value: &Value) -> Result<Option<Self>, TimeError> {
        match value {
            Value::Null => Ok(None),
            Value::String(text) => Self::parse(text).map(Some),
            Value::Number(number) => parse_epoch_millis(&number.to_string())
                .ok_or_else(|| TimeError::OutOfRange(number.to_string()))
                .map(Some),
            Value::Array(items) => items.first().map_or(Ok(None), Self::from_json),
            Value::Bool(_) => Err(TimeError::WrongType("boolean")),
            Value::Object(_) => Err(TimeError::WrongType("object")),
        }
    }

    /// Parses `strict_date_optional_time||epoch_millis` text.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        if let Some(time) = parse_iso(text)? {
            return Ok(time);
        }
        if looks_like_epoch_millis(text) {
            return parse_epoch_millis(text).ok_or_else(|| TimeError::OutOfRange(text.to_owned()));
        }
        Err(TimeError::NotADate(text.to_owned()))
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.to_iso_millis())
    }
}

/// ISO-8601 forms. `Ok(None)`: not ISO at all (maybe epoch millis); `Err`: a date outside
/// the range.
fn parse_iso(text: &str) -> Result<Option<EventTime>, TimeError> {
    // A year must be exactly four digits in `strict_date_optional_time`.
    let bytes = text.as_bytes();
    if bytes.len() < 4 || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return Ok(None);
    }
    if bytes.len() > 4 && bytes[4] != b'-' {
        return Ok(None);
    }
    let timestamp = if let Ok(timestamp) = text.parse::<Timestamp>() {
        timestamp
    } else if let Ok(datetime) = text.parse::<DateTime>() {
        // No zone: Elasticsearch reads the time as UTC.
        match datetime.to_zoned(TimeZone::UTC) {
            Ok(zoned) => zoned.timestamp(),
            Err(_) => return Err(TimeError::OutOfRange(text.to_owned())),
        }
    } else if let Some(date) = parse_date_only(text) {
        match date.to_zoned(TimeZone::UTC) {
            Ok(zoned) => zoned.timestamp(),
            Err(_) => return Err(TimeError::OutOfRange(text.to_owned())),
        }
    } else {
        return Ok(None);
    };
    EventTime::from_jiff(timestamp).map(Some).ok_or_else(|| TimeError::OutOfRange(text.to_owned()))
}

/// `yyyy`, `yyyy-MM` or `yyyy-MM-dd`.
fn parse_date_only(text: &str) -> Option<Date> {
    let completed = match text.len() {
        4 => format!("{text}-01-01"),
        7 => format!("{text}-01"),
        _ => text.to_owned(),
    };
    completed.parse::<Date>().ok()
}

/// An optional `-`, digits, and an optional `.` fraction.
fn looks_like_epoch_millis(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    !whole.is_empty()
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit())
}

/// Epoch milliseconds with an optional fraction (kept to the nanosecond); also accepts the
/// exponent spelling `serde_json` gives large floats.
fn parse_epoch_millis(text: &str) -> Option<EventTime> {
    if looks_like_epoch_millis(text) {
        let negative = text.starts_with('-');
        let unsigned = text.trim_start_matches('-');
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let millis: i64 = whole.parse().ok()?;
        let mut sub_millis: i64 = 0;
        for (position, digit) in fraction.bytes().take(6).enumerate() {
            let scale = 10_i64.pow(5 - u32::try_from(position).ok()?);
            sub_millis += i64::from(digit - b'0') * scale;
        }
        let nanos = millis.checked_mul(NANOS_PER_MILLI)?.checked_add(sub_millis)?;
        return Some(EventTime(if negative { -nanos } else { nanos }));
    }
    let float: f64 = text.parse().ok()?;
    let nanos = (float * 1e6).round();
    // The bounds are exactly representable; a NaN fails both comparisons.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let in_range = nanos >= i64::MIN as f64 && nanos < i64::MAX as f64;
    #[allow(clippy::cast_possible_truncation)]
    in_range.then_some(EventTime(nanos as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn iso(text: &str) -> String {
        EventTime::parse(text).map_or_else(|error| format!("error: {error}"), |t| t.to_string())
    }

    #[test]
    fn iso_forms_of_strict_date_optional_time() {
        let cases = [
            ("2024-05-01T10:11:12.345Z", "2024-05-01T10:11:12.345Z"),
            ("2024-05-01T10:11:12Z", "2024-05-01T10:11:12.000Z"),
            ("2024-05-01T10:11:12.123456789Z", "2024-05-01T10:11:12.123Z"),
            ("2024-05-01T12:11:12+02:00", "2024-05-01T10:11:12.000Z"),
            ("2024-05-01T12:11:12+0200", "2024-05-01T10:11:12.000Z"),
            ("2024-05-01T10:11:12", "2024-05-01T10:11:12.000Z"),
            ("2024-05-01T10:11", "2024-05-01T10:11:00.000Z"),
            ("2024-05-01", "2024-05-01T00:00:00.000Z"),
            ("2024-05", "2024-05-01T00:00:00.000Z"),
            ("2024", "2024-01-01T00:00:00.000Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(iso(input), expected, "{input}");
        }
    }

    #[test]
    fn epoch_millis_numbers_and_digit_strings() {
        assert_eq!(iso("1714557072345"), "2024-05-01T09:51:12.345Z");
        assert_eq!(
            EventTime::from_json(&json!(1_714_557_072_345_i64)).unwrap(),
            EventTime::parse("2024-05-01T09:51:12.345Z").ok()
        );
        assert_eq!(
            EventTime::from_json(&json!(1.5)).unwrap(),
            Some(EventTime::from_nanos(1_500_000))
        );
        assert_eq!(EventTime::parse("1.25").unwrap(), EventTime::from_nanos(1_250_000));
        assert_eq!(EventTime::parse("-1").unwrap(), EventTime::from_nanos(-1_000_000));
    }

    #[test]
    fn bad_dates_are_errors_not_panics() {
        for input in
            ["", "yesterday", "2024-13-01", "2024-05-01T25:00", "12ab", "9999999999999999999"]
        {
            assert!(EventTime::parse(input).is_err(), "{input}");
        }
        assert_eq!(EventTime::from_json(&json!(true)), Err(TimeError::WrongType("boolean")));
        assert_eq!(EventTime::from_json(&json!(null)), Ok(None));
        assert_eq!(EventTime::from_json(&json!([])), Ok(None));
    }

    #[test]
    fn arrays_use_their_first_value() {
        let time = EventTime::from_json(&json!(["2024-05-01T00:00:00Z", "2020-01-01"]));
        assert_eq!(time.unwrap().unwrap().to_string(), "2024-05-01T00:00:00.000Z");
    }

    #[test]
    fn millis_round_toward_the_past() {
        assert_eq!(EventTime::from_nanos(-1).as_millis(), -1);
        assert_eq!(EventTime::from_nanos(1_999_999).as_millis(), 1);
    }
}
