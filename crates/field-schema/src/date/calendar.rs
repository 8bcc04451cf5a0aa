//! Date-time components read by a format, their Elasticsearch defaults, and the
//! conversion to an instant (nanoseconds since the Unix epoch) through `jiff`.

/// Components a format has read so far. Missing ones take Elasticsearch's defaults
/// (`DateFormatters` in ES parses with year 1970, month 1, day 1, time 00:00 and UTC
/// defaulted), so `yyyy-MM-dd` reads midnight UTC and `yyyy` reads 1 January.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) year: Option<i64>,
    pub(crate) month: Option<i64>,
    pub(crate) day: Option<i64>,
    pub(crate) hour: Option<i64>,
    pub(crate) minute: Option<i64>,
    pub(crate) second: Option<i64>,
    pub(crate) nanos: Option<i64>,
    pub(crate) offset_seconds: Option<i32>,
}

impl Parts {
    /// The instant these parts name, in nanoseconds since 1970-01-01T00:00:00Z, or
    /// `None` when they are no valid date-time (31 February, hour 25, year 10000 …).
    pub(crate) fn to_epoch_nanos(self) -> Option<i128> {
        let narrow = |value: Option<i64>, default: i8| -> Option<i8> {
            value.map_or(Some(default), |v| i8::try_from(v).ok())
        };
        let year = i16::try_from(self.year.unwrap_or(1970)).ok()?;
        let datetime = jiff::civil::DateTime::new(
            year,
            narrow(self.month, 1)?,
            narrow(self.day, 1)?,
            narrow(self.hour, 0)?,
            narrow(self.minute, 0)?,
            narrow(self.second, 0)?,
            i32::try_from(self.nanos.unwrap_or(0)).ok()?,
        )
        .ok()?;
        let offset = jiff::tz::Offset::from_seconds(self.offset_seconds.unwrap_or(0)).ok()?;
        Some(offset.to_timestamp(datetime).ok()?.as_nanosecond())
    }
}

/// A cursor over the input text (ASCII-oriented: formats only read ASCII).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor { bytes: text.as_bytes(), pos: 0 }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `byte` if it is next.
    pub(crate) fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `text` if it comes next, ASCII case-insensitively when asked.
    pub(crate) fn eat_str(&mut self, text: &str, ignore_case: bool) -> bool {
        let end = self.pos + text.len();
        let Some(next) = self.bytes.get(self.pos..end) else {
            return false;
        };
        let same = if ignore_case {
            next.eq_ignore_ascii_case(text.as_bytes())
        } else {
            next == text.as_bytes()
        };
        if same {
            self.pos = end;
        }
        same
    }

    /// How many ASCII digits follow the cursor.
    pub(crate) fn digit_run(&self) -> usize {
        self.bytes[self.pos.min(self.bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }

    /// Reads between `min` and `max` digits (greedy) as a number.
    pub(crate) fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let count = self.digit_run().min(max);
        if count < min || count == 0 || count > 18 {
            return None;
        }
        let text = &self.bytes[self.pos..self.pos + count];
        self.pos += count;
        Some(text.iter().fold(0_i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    }

    /// Reads a fraction of a second of `min..=max` digits (at most 9) as nanoseconds.
    pub(crate) fn fraction_nanos(&mut self, min: usize, max: usize) -> Option<i64> {
        let count = self.digit_run().min(max).min(9);
        if count < min || count == 0 {
            return None;
        }
        let value = self.digits(count, count)?;
        let scale = 10_i64.pow(u32::try_from(9 - count).ok()?);
        Some(value * scale)
    }

    /// Reads a UTC offset: `Z`, `±HH`, `±HHmm` or `±HH:mm`, as seconds east of UTC.
    /// (Lenient on purpose: Java's `Z`, `X` and `x` letters each accept a subset.)
    pub(crate) fn offset(&mut self) -> Option<i32> {
        if self.eat(b'Z') || self.eat(b'z') {
            return Some(0);
        }
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let start = self.pos;
        self.pos += 1;
        let parsed = (|| {
            let hours = self.digits(2, 2)?;
            let minutes =
                if self.eat(b':') || self.digit_run() >= 2 { self.digits(2, 2)? } else { 0 };
            if hours > 18 || minutes > 59 {
                return None;
            }
            i32::try_from(sign * (hours * 3600 + minutes * 60)).ok()
        })();
        if parsed.is_none() {
            self.pos = start;
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Parts};

    #[test]
    fn defaults_are_the_epoch() {
        assert_eq!(Parts::default().to_epoch_nanos(), Some(0));
    }

    #[test]
    fn invalid_calendar_dates_are_rejected() {
        let parts = Parts { year: Some(2023), month: Some(2), day: Some(29), ..Parts::default() };
        assert_eq!(parts.to_epoch_nanos(), None);
    }

    #[test]
    fn offsets() {
        for (text, seconds) in [("Z", 0), ("+01:00", 3600), ("-0130", -5400), ("+05", 18000)] {
            assert_eq!(Cursor::new(text).offset(), Some(seconds), "{text}");
        }
        assert_eq!(Cursor::new("+1").offset(), None);
    }
}
