//! Date literals against `date` / `date_nanos` fields, read as Elasticsearch reads the bounds
//! of a `range` query (ES reference, "Range query › Date math and rounding", "Date math"):
//!
//! * a literal is parsed with the field's mapping format; `now` is the caller's clock (the
//!   compiler's, or a rule execution's time in the detection engine);
//! * date math follows `now` or `<date>||`: `+N<unit>`, `-N<unit>`, `/<unit>` with units
//!   `y M w d h H m s`;
//! * rounding: a bound that rounds *up* (`lte`, `gt`, and the upper end of a term on a date
//!   field, which ES runs as `[v, v]`) moves to the last instant of the rounded unit, and a
//!   partial date is rounded up to the end of its precision (`2010-03-06` as an upper bound is
//!   `2010-03-06T23:59:59.999999999`; ES-KQL yaml test `date_field: 2010-03-06`).
//!
//! All instants are nanoseconds since the epoch, UTC (detection rules run KQL with
//! `dateFormatTZ: 'Zulu'`, kql.md §2.2).

use std::fmt;

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, Zoned};

use crate::DateFormat;

/// A calendar or clock unit of date math.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    /// A fixed number of nanoseconds (sub-second precision of a literal).
    Nanos(i64),
}

impl Unit {
    fn from_char(c: char) -> Option<Unit> {
        Some(match c {
            'y' => Unit::Year,
            'M' => Unit::Month,
            'w' => Unit::Week,
            'd' => Unit::Day,
            'h' | 'H' => Unit::Hour,
            'm' => Unit::Minute,
            's' => Unit::Second,
            _ => return None,
        })
    }

    fn span(self, amount: i64) -> Span {
        match self {
            Unit::Year => Span::new().years(amount),
            Unit::Month => Span::new().months(amount),
            Unit::Week => Span::new().weeks(amount),
            Unit::Day => Span::new().days(amount),
            Unit::Hour => Span::new().hours(amount),
            Unit::Minute => Span::new().minutes(amount),
            Unit::Second => Span::new().seconds(amount),
            Unit::Nanos(n) => Span::new().nanoseconds(n.saturating_mul(amount)),
        }
    }
}

fn zoned(nanos: i128) -> Option<Zoned> {
    Some(Timestamp::from_nanosecond(nanos).ok()?.to_zoned(TimeZone::UTC))
}

fn nanos_of(z: &Zoned) -> i128 {
    z.timestamp().as_nanosecond()
}

fn add(nanos: i128, unit: Unit, amount: i64) -> Option<i128> {
    Some(nanos_of(&zoned(nanos)?.checked_add(unit.span(amount)).ok()?))
}

/// The start of the `unit` containing `nanos`.
fn floor(nanos: i128, unit: Unit) -> Option<i128> {
    let z = zoned(nanos)?;
    let start = match unit {
        Unit::Year => z.first_of_year().ok()?.start_of_day().ok()?,
        Unit::Month => z.first_of_month().ok()?.start_of_day().ok()?,
        Unit::Week => {
            let back = i64::from(z.weekday().to_monday_zero_offset());
            z.start_of_day().ok()?.checked_sub(Span::new().days(back)).ok()?
        }
        Unit::Day => z.start_of_day().ok()?,
        Unit::Hour | Unit::Minute | Unit::Second | Unit::Nanos(_) => {
            let size: i128 = match unit {
                Unit::Hour => 3_600_000_000_000,
                Unit::Minute => 60_000_000_000,
                Unit::Second => 1_000_000_000,
                Unit::Nanos(n) => i128::from(n.max(1)),
                _ => 1,
            };
            return Some(nanos.div_euclid(size) * size);
        }
    };
    Some(nanos_of(&start))
}

/// The last instant of the `unit` starting at `start`.
fn last_instant(start: i128, unit: Unit) -> Option<i128> {
    Some(add(start, unit, 1)? - 1)
}

/// A parsed date-math expression: an anchor (`now`, a date, or `<date>||`) and its steps.
///
/// Parse once, [`resolve`](Self::resolve) against any "now": the detection engine resolves
/// `history_window_start` (`now-14d`) against each rule execution, the compiler resolves
/// range bounds against its clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateMath {
    text: String,
    anchor: Anchor,
    steps: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Now,
    /// A date: its first instant, and the last instant of its precision (the reading of an
    /// upper bound; equal to `start` for a `<date>||` anchor, which ES does not round).
    Fixed {
        start: i128,
        last: Option<i128>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Add(i64, Unit),
    Round(Unit),
}

/// Why a date-math expression was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateMathError {
    /// The date (before `||`, or the whole text) does not read with the format.
    #[error("failed to parse date `{text}` with format [{format}]")]
    Date {
        /// The date as written.
        text: String,
        /// The format tried.
        format: String,
    },
    /// The math after the anchor is not `+N<unit>`, `-N<unit>` or `/<unit>`.
    #[error("invalid date math `{math}`")]
    Math {
        /// The math as written.
        math: String,
    },
    /// A date rounded up to the end of its precision leaves the supported years.
    #[error("date `{text}` is out of range")]
    OutOfRange {
        /// The date as written.
        text: String,
    },
}

impl DateMath {
    /// Parses `text`; a date anchor is read with `format`.
    pub fn parse(text: &str, format: &DateFormat) -> Result<Self, DateMathError> {
        let trimmed = text.trim();
        let (anchor, math) = if let Some(rest) = trimmed.strip_prefix("now") {
            (Anchor::Now, rest)
        } else if let Some((date, rest)) = trimmed.split_once("||") {
            let start = parse_plain(date, format, false)?;
            (Anchor::Fixed { start, last: Some(start) }, rest)
        } else {
            let start = parse_plain(trimmed, format, false)?;
            let last = parse_plain(trimmed, format, true).ok();
            (Anchor::Fixed { start, last }, "")
        };
        let steps =
            parse_steps(math).ok_or_else(|| DateMathError::Math { math: math.to_owned() })?;
        Ok(Self { text: text.to_owned(), anchor, steps })
    }

    /// The instant (nanoseconds since the epoch) this expression names when "now" is `now`.
    /// `round_up` reads it as an upper bound: `/unit` moves to the last instant of the unit
    /// and a partial date to the end of its precision. `None` when the result leaves jiff's
    /// range.
    pub fn resolve(&self, now: Timestamp, round_up: bool) -> Option<i128> {
        let mut nanos = match self.anchor {
            Anchor::Now => now.as_nanosecond(),
            Anchor::Fixed { last, .. } if round_up => last?,
            Anchor::Fixed { start, .. } => start,
        };
        for step in &self.steps {
            nanos = match *step {
                Step::Add(amount, unit) => add(nanos, unit, amount)?,
                Step::Round(unit) => {
                    let start = floor(nanos, unit)?;
                    if round_up { last_instant(start, unit)? } else { start }
                }
            };
        }
        Some(nanos)
    }

    /// Whether the expression depends on "now".
    pub fn is_relative(&self) -> bool {
        self.anchor == Anchor::Now
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DateMath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// `+N<unit>`, `-N<unit>` (a missing `N` is 1, as in ES's `JavaDateMathParser`) and
/// `/<unit>`, in order; `None` on anything else.
fn parse_steps(math: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut chars = math.chars().peekable();
    while let Some(op) = chars.next() {
        match op {
            '+' | '-' => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                let amount: i64 = if digits.is_empty() { 1 } else { digits.parse().ok()? };
                let unit = Unit::from_char(chars.next()?)?;
                steps.push(Step::Add(if op == '-' { -amount } else { amount }, unit));
            }
            '/' => steps.push(Step::Round(Unit::from_char(chars.next()?)?)),
            _ => return None,
        }
    }
    Some(steps)
}

/// Reads a date bound as ES reads a `range` query bound. `round_up` selects the upper
/// reading of a partial date or a `/unit` rounding. `Err` holds a reason for the compile
/// error.
pub fn date_bound(
    text: &str,
    format: &DateFormat,
    now: Timestamp,
    round_up: bool,
) -> Result<i128, String> {
    let math = DateMath::parse(text, format).map_err(|error| error.to_string())?;
    math.resolve(now, round_up).ok_or_else(|| {
        let trimmed = text.trim();
        let steps =
            trimmed.strip_prefix("now").or_else(|| trimmed.split_once("||").map(|(_, m)| m));
        let error = match steps {
            Some(math) => DateMathError::Math { math: math.to_owned() },
            None => DateMathError::OutOfRange { text: trimmed.to_owned() },
        };
        error.to_string()
    })
}

/// A date without math: parsed with the field's format, rounded up to the end of its
/// precision when `round_up`.
fn parse_plain(text: &str, format: &DateFormat, round_up: bool) -> Result<i128, DateMathError> {
    let millis = format.parse_nanos(text).map(i128::from).or_else(|| {
        // Before 1970 `parse_nanos` refuses; `parse_millis` reads the same instant.
        format.parse_millis(text).map(|ms| i128::from(ms) * 1_000_000)
    });
    let Some(start) = millis else {
        return Err(DateMathError::Date { text: text.to_owned(), format: format.to_string() });
    };
    if !round_up {
        return Ok(start);
    }
    let unit = precision(text, format);
    last_instant(start, unit).ok_or_else(|| DateMathError::OutOfRange { text: text.to_owned() })
}

/// The finest unit `text` states: from the ISO-8601 shape when it has one, from epoch digits,
/// or from the smallest pattern letter of a custom format.
fn precision(text: &str, format: &DateFormat) -> Unit {
    let body = text.trim_start_matches(['-', '+']);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let fraction = body.split_once('.').map_or(0, |(_, f)| f.len());
        let whole_unit: i64 = if format.source().contains("epoch_second")
            && !format.source().contains("epoch_millis")
        {
            1_000_000_000
        } else {
            1_000_000
        };
        let scale = 10_i64.pow(u32::try_from(fraction.min(9)).unwrap_or(0));
        return Unit::Nanos((whole_unit / scale).max(1));
    }
    if let Some(unit) = iso_precision(text) {
        return unit;
    }
    pattern_precision(format.source())
}

fn iso_precision(text: &str) -> Option<Unit> {
    let bytes = text.as_bytes();
    let digits = |from: usize, count: usize| {
        bytes.get(from..from + count).is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !digits(0, 4) {
        return None;
    }
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let date_unit = match date.len() {
        4 => Unit::Year,
        7 => Unit::Month,
        10 => Unit::Day,
        _ => return None,
    };
    let Some(time) = time else { return Some(date_unit) };
    let clock = time.split(['Z', 'z', '+', '-']).next().unwrap_or("");
    let (hms, fraction) = match clock.split_once(['.', ',']) {
        Some((hms, fraction)) => (hms, fraction.len()),
        None => (clock, 0),
    };
    Some(match (hms.split(':').count(), fraction) {
        (1, _) => Unit::Hour,
        (2, _) => Unit::Minute,
        (_, 0) => Unit::Second,
        (_, n) => Unit::Nanos(10_i64.pow(9 - u32::try_from(n.min(9)).unwrap_or(9))),
    })
}

fn pattern_precision(source: &str) -> Unit {
    let mut in_quote = false;
    let mut finest = Unit::Year;
    let rank = |unit: Unit| match unit {
        Unit::Year => 0,
        Unit::Month => 1,
        Unit::Week => 2,
        Unit::Day => 3,
        Unit::Hour => 4,
        Unit::Minute => 5,
        Unit::Second => 6,
        Unit::Nanos(_) => 7,
    };
    for c in source.chars() {
        if c == '\'' {
            in_quote = !in_quote;
            continue;
        }
        if in_quote {
            continue;
        }
        let unit = match c {
            'M' | 'L' => Unit::Month,
            'd' | 'D' => Unit::Day,
            'H' | 'h' | 'k' | 'K' => Unit::Hour,
            'm' => Unit::Minute,
            's' => Unit::Second,
            'S' => Unit::Nanos(1_000_000),
            _ => continue,
        };
        if rank(unit) > rank(finest) {
            finest = unit;
        }
    }
    finest
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i128 = 86_400_000_000_000;

    fn bound(text: &str, up: bool) -> i128 {
        let now: Timestamp = "2024-05-15T10:30:00Z".parse().expect("instant");
        date_bound(text, DateFormat::default_date(), now, up).expect("reads")
    }

    fn at(text: &str) -> i128 {
        text.parse::<Timestamp>().expect("instant").as_nanosecond()
    }

    #[test]
    fn partial_dates_round_to_their_precision() {
        assert_eq!(bound("2010-03-06", false), at("2010-03-06T00:00:00Z"));
        assert_eq!(bound("2010-03-06", true), at("2010-03-07T00:00:00Z") - 1);
        assert_eq!(bound("2010-03", true), at("2010-04-01T00:00:00Z") - 1);
        assert_eq!(bound("2017-08-30T20:47:33Z", true), at("2017-08-30T20:47:34Z") - 1);
        assert_eq!(bound("2017-08-30T20:47:33.510Z", true), at("2017-08-30T20:47:33.511Z") - 1);
        assert_eq!(bound("1516116808349", true), at("2018-01-16T15:33:28.350Z") - 1);
    }

    #[test]
    fn date_math_from_now_and_anchors() {
        assert_eq!(bound("now", false), at("2024-05-15T10:30:00Z"));
        assert_eq!(bound("now-1d", false), at("2024-05-14T10:30:00Z"));
        assert_eq!(bound("now/d", false), at("2024-05-15T00:00:00Z"));
        assert_eq!(bound("now/d", true), at("2024-05-15T00:00:00Z") + DAY - 1);
        assert_eq!(bound("now-1M/M", false), at("2024-04-01T00:00:00Z"));
        assert_eq!(bound("now/w", false), at("2024-05-13T00:00:00Z"));
        assert_eq!(bound("2024-01-31||+1M", false), at("2024-02-29T00:00:00Z"));
        let format = DateFormat::default_date();
        assert!(date_bound("now+1x", format, Timestamp::UNIX_EPOCH, false).is_err());
        assert!(date_bound("yesterday", format, Timestamp::UNIX_EPOCH, false).is_err());
    }

    #[test]
    fn custom_formats_round_by_their_finest_letter() {
        let format = DateFormat::parse("dd-MM-yyyy").expect("format");
        let now = Timestamp::UNIX_EPOCH;
        let low = date_bound("12-12-2022", &format, now, false).expect("reads");
        let high = date_bound("12-12-2022", &format, now, true).expect("reads");
        assert_eq!(high - low, DAY - 1);
    }
}
