//! Elasticsearch date math (`now-14d`, `now-1M/d`, `2024-01-01||+1h`), resolved against a
//! chosen "now".
//!
//! Syntax from the Elasticsearch "Date math" reference (common options page): an anchor
//! (`now`, or a date followed by `||`), then any number of `+N<unit>`, `-N<unit>` and
//! `/<unit>` (round down). Units: `y` years, `M` months, `w` weeks, `d` days, `h`/`H` hours,
//! `m` minutes, `s` seconds. Calendar units are applied in UTC (the default `time_zone`).
//! Kibana's `history_window_start` for `new_terms` rules is such an expression; the engine
//! resolves it against each event's time rather than the wall clock.

use std::fmt;

use jiff::{Span, Unit, Zoned, tz::TimeZone};

use crate::timestamp::EventTime;

/// A parsed date-math expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateMath {
    text: String,
    anchor: Anchor,
    steps: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Now,
    Fixed(EventTime),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Add(i64, CalendarUnit),
    RoundDown(CalendarUnit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CalendarUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

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
        let fail =
            |problem: &str| DateMathError { text: text.to_owned(), problem: problem.to_owned() };
        let (anchor, mut rest) = if let Some(rest) = text.strip_prefix("now") {
            (Anchor::Now, rest)
        } else if let Some((date, rest)) = text.split_once("||") {
            let time = EventTime::parse(date).map_err(|error| fail(&error.to_string()))?;
            (Anchor::Fixed(time), rest)
        } else {
            let time = EventTime::parse(text).map_err(|error| fail(&error.to_string()))?;
            (Anchor::Fixed(time), "")
        };
        let mut steps = Vec::new();
        while let Some(operator) = rest.chars().next() {
            rest = &rest[1..];
            match operator {
                '+' | '-' => {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    if digits == 0 {
                        return Err(fail("a number must follow `+` or `-`"));
                    }
                    let amount: i64 =
                        rest[..digits].parse().map_err(|_| fail("the number is too large"))?;
                    rest = &rest[digits..];
                    let unit = take_unit(&mut rest).ok_or_else(|| fail(UNIT_PROBLEM))?;
                    let signed = if operator == '-' { -amount } else { amount };
                    steps.push(Step::Add(signed, unit));
                }
                '/' => {
                    let unit = take_unit(&mut rest).ok_or_else(|| fail(UNIT_PROBLEM))?;
                    steps.push(Step::RoundDown(unit));
                }
                _ => return Err(fail("expected `+`, `-` or `/`")),
            }
        }
        Ok(Self { text: text.to_owned(), anchor, steps })
    }

    /// The time this expression names when "now" is `now`; `None` when the result falls
    /// outside the supported years.
    pub fn resolve(&self, now: EventTime) -> Option<EventTime> {
        let start = match self.anchor {
            Anchor::Now => now,
            Anchor::Fixed(time) => time,
        };
        let mut zoned: Zoned = start.to_jiff().to_zoned(TimeZone::UTC);
        for step in &self.steps {
            zoned = match *step {
                Step::Add(amount, unit) => zoned.checked_add(unit.span(amount)?).ok()?,
                Step::RoundDown(unit) => unit.round_down(&zoned)?,
            };
        }
        EventTime::from_jiff(zoned.timestamp())
    }

    /// Whether the expression depends on "now".
    pub fn is_relative(&self) -> bool {
        self.anchor == Anchor::Now
    }
}

impl fmt::Display for DateMath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

const UNIT_PROBLEM: &str = "expected a unit: y, M, w, d, h, H, m or s";

/// Takes one unit letter off the front of `rest`.
fn take_unit(rest: &mut &str) -> Option<CalendarUnit> {
    let unit = match rest.chars().next()? {
        'y' => CalendarUnit::Year,
        'M' => CalendarUnit::Month,
        'w' => CalendarUnit::Week,
        'd' => CalendarUnit::Day,
        'h' | 'H' => CalendarUnit::Hour,
        'm' => CalendarUnit::Minute,
        's' => CalendarUnit::Second,
        _ => return None,
    };
    *rest = &rest[1..];
    Some(unit)
}

impl CalendarUnit {
    fn span(self, amount: i64) -> Option<Span> {
        let span = Span::new();
        match self {
            Self::Year => span.try_years(amount),
            Self::Month => span.try_months(amount),
            Self::Week => span.try_weeks(amount),
            Self::Day => span.try_days(amount),
            Self::Hour => span.try_hours(amount),
            Self::Minute => span.try_minutes(amount),
            Self::Second => span.try_seconds(amount),
        }
        .ok()
    }

    /// Start of the unit containing `zoned` (weeks start on Monday, as in Elasticsearch).
    fn round_down(self, zoned: &Zoned) -> Option<Zoned> {
        let day_start = || zoned.start_of_day().ok();
        match self {
            Self::Year => zoned.first_of_year().ok()?.start_of_day().ok(),
            Self::Month => zoned.first_of_month().ok()?.start_of_day().ok(),
            Self::Week => {
                let back = i64::from(zoned.weekday().to_monday_zero_offset());
                day_start()?.checked_sub(Span::new().try_days(back).ok()?).ok()
            }
            Self::Day => day_start(),
            Self::Hour => zoned.round(Unit::Hour.trunc()).ok(),
            Self::Minute => zoned.round(Unit::Minute.trunc()).ok(),
            Self::Second => zoned.round(Unit::Second.trunc()).ok(),
        }
    }
}

trait Truncate {
    fn trunc(self) -> jiff::ZonedRound;
}

impl Truncate for Unit {
    fn trunc(self) -> jiff::ZonedRound {
        jiff::ZonedRound::new().smallest(self).mode(jiff::RoundMode::Trunc)
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
            "`now-14x` is not date math: expected a unit: y, M, w, d, h, H, m or s (expected e.g. `now-14d`)"
        );
    }

    #[test]
    fn out_of_range_results_are_none() {
        let math = DateMath::parse("now+500y").unwrap();
        assert_eq!(math.resolve(at("2024-01-01")), None);
    }
}
