//! Range tests that read a value through its field type: `date` / `date_nanos` instants
//! (parsed with the field's mapping format, as ES indexes them) and `ip` addresses (ordered
//! as ES orders them: IPv4 inside the IPv6 space as `::ffff:a.b.c.d`).

use std::fmt;
use std::net::IpAddr;

use field_schema::DateFormat;

use crate::text::Scalar;

/// One end of a range: the value and whether it is included.
pub type RangeEnd<T> = Option<(T, bool)>;

fn within<T: Ord>(value: &T, lower: Option<&(T, bool)>, upper: Option<&(T, bool)>) -> bool {
    let above =
        lower.is_none_or(|(low, inclusive)| if *inclusive { value >= low } else { value > low });
    let below =
        upper.is_none_or(|(high, inclusive)| if *inclusive { value <= high } else { value < high });
    above && below
}

/// An instant range on a date field, in nanoseconds since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct DateRange {
    /// How the field's values are read (the mapping's `format`).
    pub format: DateFormat,
    /// `date_nanos` (nanosecond resolution) rather than `date` (values truncated to ms).
    pub nanos: bool,
    /// The lower end.
    pub lower: RangeEnd<i128>,
    /// The upper end.
    pub upper: RangeEnd<i128>,
}

impl DateRange {
    /// The instant a field value stands for, in nanoseconds (`None` when the format cannot
    /// read it: ES would have rejected the document, so it matches nothing).
    pub fn instant(&self, scalar: Scalar<'_>, buf: &mut String) -> Option<i128> {
        let text = scalar.text(buf);
        if self.nanos {
            self.format.parse_nanos(text).map(i128::from)
        } else {
            self.format.parse_millis(text).map(|ms| i128::from(ms) * 1_000_000)
        }
    }

    /// True if the value's instant lies in the range.
    pub fn contains(&self, scalar: Scalar<'_>, buf: &mut String) -> bool {
        self.instant(scalar, buf)
            .is_some_and(|at| within(&at, self.lower.as_ref(), self.upper.as_ref()))
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.nanos { "date_nanos" } else { "date" };
        write!(f, "{kind}[{}] ", self.format)?;
        write_range(f, self.lower.as_ref(), self.upper.as_ref())
    }
}

fn write_range<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    lower: Option<&(T, bool)>,
    upper: Option<&(T, bool)>,
) -> fmt::Result {
    match lower {
        Some((low, true)) => write!(f, "[{low}")?,
        Some((low, false)) => write!(f, "({low}")?,
        None => f.write_str("(-inf")?,
    }
    match upper {
        Some((high, true)) => write!(f, ", {high}]"),
        Some((high, false)) => write!(f, ", {high})"),
        None => f.write_str(", +inf)"),
    }
}

/// The position of an address in ES's `ip` order.
pub fn ip_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An address range on an `ip` field (`ip >= 10.0.0.0` in KQL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpRange {
    /// The lower end.
    pub lower: RangeEnd<u128>,
    /// The upper end.
    pub upper: RangeEnd<u128>,
}

impl IpRange {
    /// True if the value is an address inside the range.
    pub fn contains(&self, scalar: Scalar<'_>, buf: &mut String) -> bool {
        scalar
            .text(buf)
            .trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| within(&ip_key(ip), self.lower.as_ref(), self.upper.as_ref()))
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |end: &RangeEnd<u128>| {
            end.map(|(key, inclusive)| (std::net::Ipv6Addr::from(key).to_canonical(), inclusive))
        };
        f.write_str("ip ")?;
        write_range(f, show(&self.lower).as_ref(), show(&self.upper).as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_with_the_field_format() {
        let range = DateRange {
            format: DateFormat::parse("dd-MM-yyyy").expect("format"),
            nanos: false,
            lower: Some((1_670_803_200_000_000_000, true)),
            upper: Some((1_670_889_599_999_999_999, true)),
        };
        let mut buf = String::new();
        assert!(range.contains(Scalar::Str("12-12-2022"), &mut buf));
        assert!(!range.contains(Scalar::Str("13-12-2022"), &mut buf));
        assert!(!range.contains(Scalar::Str("2022-12-12"), &mut buf));
    }

    #[test]
    fn ip_ranges_order_v4_inside_v6() {
        let key = |s: &str| ip_key(s.parse().expect("ip"));
        let range = IpRange {
            lower: Some((key("10.0.0.0"), true)),
            upper: Some((key("10.0.0.255"), false)),
        };
        let mut buf = String::new();
        assert!(range.contains(Scalar::Str("10.0.0.7"), &mut buf));
        assert!(!range.contains(Scalar::Str("10.0.0.255"), &mut buf));
        assert!(!range.contains(Scalar::Str("::1"), &mut buf));
        assert!(!range.contains(Scalar::Str("nope"), &mut buf));
    }
}
