//! Elasticsearch date math (`now-14d`, `now-1M/d`, `2024-01-01||+1h`) over event times.
//!
//! The parser and calendar arithmetic are `field_schema`'s [`field_schema::DateMath`], shared
//! with the compiler; this wrapper reads a date anchor with Elasticsearch's default `date`
//! format (`strict_date_optional_time||epoch_millis`, as [`EventTime`] does) and resolves
//! against an [`EventTime`]. Kibana's `history_window_start` for `new_terms` rules and a
//! rule's `from` are such expressions; the engine resolves them against each execution's
//! time rather than the wall clock.

use std::fmt;

use field_schema::DateFormat;

use crate::timestamp::EventTime;

/// A parsed date-math expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateMath(field_schema::DateMath);

/// Why a date-math expression was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not date math: {problem} (expected e.g. `now-14d`)")]
pub struct DateMathError {
    /// The expression as written.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

impl DateMath {
    /// Parses an expression.
    pub fn parse(text: &str) -> Result<Self, DateMathError> {
        field_schema::DateMath::parse(text, DateFormat::default_date())
            .map(Self)
            .map_err(|error| DateMathError { text: text.to_owned(), problem: error.to_string() })
    }

    /// The time this expression names when "now" is `now`; `None` when the result falls
    /// outside the supported years.
    pub fn resolve(&self, now: EventTime) -> Option<EventTime> {
        let nanos = self.0.resolve(now.to_jiff(), false)?;
        i64::try_from(nanos).ok().map(EventTime::from_nanos)
    }

    /// Whether the expression depends on "now".
    pub fn is_relative(&self) -> bool {
        self.0.is_relative()
    }
}

impl fmt::Display for DateMath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> EventTime {
        EventTime::parse(text).unwrap()
    }

    fn resolve(math: &str, now: &str) -> String {
        DateMath::parse(math).unwrap().resolve(at(now)).unwrap().to_string()
    }

    #[test]
    fn relative_offsets_in_every_unit() {
        let now = "2024-03-31T10:30:45.500Z";
        let cases = [
            ("now", "2024-03-31T10:30:45.500Z"),
            ("now-14d", "2024-03-17T10:30:45.500Z"),
            ("now-9m", "2024-03-31T10:21:45.500Z"),
            ("now-1M", "2024-02-29T10:30:45.500Z"),
            ("now+1y", "2025-03-31T10:30:45.500Z"),
            ("now-2w", "2024-03-17T10:30:45.500Z"),
            ("now-3h", "2024-03-31T07:30:45.500Z"),
            ("now-3H", "2024-03-31T07:30:45.500Z"),
            ("now-30s", "2024-03-31T10:30:15.500Z"),
            ("now-1d/d", "2024-03-30T00:00:00.000Z"),
            ("now/M", "2024-03-01T00:00:00.000Z"),
            ("now/w", "2024-03-25T00:00:00.000Z"),
            ("now/h", "2024-03-31T10:00:00.000Z"),
            ("now-1d+2h", "2024-03-30T12:30:45.500Z"),
            // A missing amount is 1, as in Elasticsearch's date math parser.
            ("now-d", "2024-03-30T10:30:45.500Z"),
        ];
        for (math, expected) in cases {
            assert_eq!(resolve(math, now), expected, "{math}");
        }
    }

    #[test]
    fn absolute_anchors() {
        assert_eq!(resolve("2024-01-01||+1h", "2030-01-01"), "2024-01-01T01:00:00.000Z");
        assert_eq!(resolve("2024-01-01", "2030-01-01"), "2024-01-01T00:00:00.000Z");
        assert!(!DateMath::parse("2024-01-01").unwrap().is_relative());
        assert!(DateMath::parse("now-1d").unwrap().is_relative());
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for text in
            ["now-", "now-14", "now-14x", "now*2d", "nowish", "later", "now-99999999999999999999d"]
        {
            assert!(DateMath::parse(text).is_err(), "{text}");
        }
        let error = DateMath::parse("now-14x").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`now-14x` is not date math: invalid date math `-14x` (expected e.g. `now-14d`)"
        );
    }

    #[test]
    fn out_of_range_results_are_none() {
        let math = DateMath::parse("now+500y").unwrap();
        assert_eq!(math.resolve(at("2024-01-01")), None);
    }
}
