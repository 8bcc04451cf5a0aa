//! Elasticsearch's named ISO-8601-shaped date formats (`strict_date_optional_time`,
//! `date`, `date_time_no_millis`, `basic_date`, …), described by one shape each.
//!
//! Source: ES reference, "Mapping parameters › format › Built In Formats". The
//! `strict_` variants need four-digit years and two-digit fields; the lenient ones
//! accept one or two digits (and up to nine year digits).

use super::calendar::{Cursor, Parts};

/// Whether a part of the format must, may or must not appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    No,
    Optional,
    Required,
}

/// One named ISO-shaped format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IsoShape {
    /// Four-digit year and two-digit fields.
    pub(crate) strict: bool,
    /// `yyyyMMdd'T'HHmmss` instead of `yyyy-MM-dd'T'HH:mm:ss`.
    pub(crate) basic: bool,
    /// How many of year, month, day may appear (`min..=max`, 1..=3).
    pub(crate) date_parts: (u8, u8),
    /// How many of hour, minute, second, fraction may appear (`min..=max`, 0..=4);
    /// a time, when present, follows a `T`.
    pub(crate) time_parts: (u8, u8),
    /// The UTC offset after the time.
    pub(crate) zone: Need,
}

impl IsoShape {
    const fn new(date_parts: (u8, u8), time_parts: (u8, u8), zone: Need) -> Self {
        IsoShape { strict: false, basic: false, date_parts, time_parts, zone }
    }

    /// The shape of a built-in format name, or `None` if the name is not one this
    /// module knows.
    pub(crate) fn named(name: &str) -> Option<IsoShape> {
        let (strict, base) = match name.strip_prefix("strict_") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let mut shape = match base {
            "date_optional_time" | "date_optional_time_nanos" => {
                IsoShape::new((1, 3), (0, 4), Need::Optional)
            }
            "date" | "year_month_day" => IsoShape::new((3, 3), (0, 0), Need::No),
            "year_month" => IsoShape::new((2, 2), (0, 0), Need::No),
            "year" => IsoShape::new((1, 1), (0, 0), Need::No),
            "date_time" => IsoShape::new((3, 3), (4, 4), Need::Optional),
            "date_time_no_millis" => IsoShape::new((3, 3), (3, 3), Need::Optional),
            "date_hour" => IsoShape::new((3, 3), (1, 1), Need::No),
            "date_hour_minute" => IsoShape::new((3, 3), (2, 2), Need::No),
            "date_hour_minute_second" => IsoShape::new((3, 3), (3, 3), Need::No),
            "date_hour_minute_second_millis" | "date_hour_minute_second_fraction" => {
                IsoShape::new((3, 3), (4, 4), Need::No)
            }
            "basic_date" => IsoShape { basic: true, ..IsoShape::new((3, 3), (0, 0), Need::No) },
            "basic_date_time" => {
                IsoShape { basic: true, ..IsoShape::new((3, 3), (4, 4), Need::Optional) }
            }
            "basic_date_time_no_millis" => {
                IsoShape { basic: true, ..IsoShape::new((3, 3), (3, 3), Need::Optional) }
            }
            _ => return None,
        };
        // basic_* formats are fixed-width already; ES spells them without `strict_`.
        shape.strict = strict || shape.basic;
        Some(shape)
    }

    /// Reads the whole `text`, or `None` if it does not have this shape.
    pub(crate) fn read(self, text: &str) -> Option<Parts> {
        let mut cursor = Cursor::new(text);
        let mut parts = Parts::default();
        let date_count = self.read_date(&mut cursor, &mut parts)?;
        if date_count < self.date_parts.0 {
            return None;
        }
        let mut time_count = 0;
        if self.time_parts.1 > 0 && date_count == 3 && cursor.eat(b'T') {
            time_count = self.read_time(&mut cursor, &mut parts)?;
            if time_count == 0 {
                return None;
            }
        }
        if time_count < self.time_parts.0 {
            return None;
        }
        let zone_allowed = self.zone != Need::No && time_count > 0;
        if zone_allowed && !cursor.at_end() {
            parts.offset_seconds = Some(cursor.offset()?);
        } else if self.zone == Need::Required {
            return None;
        }
        cursor.at_end().then_some(parts)
    }

    fn field(self, cursor: &mut Cursor<'_>, strict_width: usize) -> Option<i64> {
        if self.strict {
            cursor.digits(strict_width, strict_width)
        } else {
            cursor.digits(1, strict_width)
        }
    }

    fn separator(self, cursor: &mut Cursor<'_>, byte: u8) -> bool {
        self.basic || cursor.eat(byte)
    }

    /// Reads up to `date_parts.1` date fields; returns how many were read.
    fn read_date(self, cursor: &mut Cursor<'_>, parts: &mut Parts) -> Option<u8> {
        parts.year = Some(if self.strict { cursor.digits(4, 4)? } else { cursor.digits(1, 9)? });
        let mut count = 1;
        if count < self.date_parts.1 && self.separator(cursor, b'-') {
            parts.month = Some(self.field(cursor, 2)?);
            count += 1;
            if count < self.date_parts.1 && self.separator(cursor, b'-') {
                parts.day = Some(self.field(cursor, 2)?);
                count += 1;
            }
        }
        Some(count)
    }

    /// Reads up to `time_parts.1` time fields after the `T`; returns how many.
    fn read_time(self, cursor: &mut Cursor<'_>, parts: &mut Parts) -> Option<u8> {
        let max = self.time_parts.1;
        parts.hour = Some(self.field(cursor, 2)?);
        let mut count = 1;
        if count < max && self.separator(cursor, b':') {
            parts.minute = Some(self.field(cursor, 2)?);
            count += 1;
            if count < max && self.separator(cursor, b':') {
                parts.second = Some(self.field(cursor, 2)?);
                count += 1;
                if count < max && (cursor.eat(b'.') || cursor.eat(b',')) {
                    parts.nanos = Some(cursor.fraction_nanos(1, 9)?);
                    count += 1;
                }
            }
        }
        Some(count)
    }
}
