//! Kibana's short durations (`5m`, `1h`) and relative start times (`now-9m`).

use std::fmt;
use std::time::Duration;

/// The unit of a [`TimeSpan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
}

impl TimeUnit {
    /// The unit letter.
    pub const fn letter(self) -> char {
        match self {
            Self::Seconds => 's',
            Self::Minutes => 'm',
            Self::Hours => 'h',
            Self::Days => 'd',
        }
    }

    /// Seconds in one unit.
    pub const fn seconds(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3_600,
            Self::Days => 86_400,
        }
    }

    fn from_letter(letter: char) -> Option<Self> {
        match letter {
            's' => Some(Self::Seconds),
            'm' => Some(Self::Minutes),
            'h' => Some(Self::Hours),
            'd' => Some(Self::Days),
            _ => None,
        }
    }
}

/// An amount of time as Kibana writes it: a whole number and a unit (`9m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeSpan {
    /// How many units.
    pub amount: u64,
    /// Which unit.
    pub unit: TimeUnit,
}

impl TimeSpan {
    /// `amount` minutes.
    pub const fn minutes(amount: u64) -> Self {
        Self { amount, unit: TimeUnit::Minutes }
    }

    /// Parses `<N><s|m|h|d>` (a rule's `interval`), e.g. `5m`.
    pub fn parse_duration(text: &str) -> Option<Self> {
        let unit = TimeUnit::from_letter(text.chars().last()?)?;
        let digits = &text[..text.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let amount = digits.parse().ok()?;
        (amount > 0).then_some(Self { amount, unit })
    }

    /// Parses `now-<N><s|m|h|d>` (a rule's `from` or a new-terms history start), e.g.
    /// `now-9m`, and returns the span back from now.
    pub fn parse_relative_start(text: &str) -> Option<Self> {
        Self::parse_duration(text.strip_prefix("now-")?)
    }

    /// The length in seconds (saturating).
    pub const fn as_secs(self) -> u64 {
        self.amount.saturating_mul(self.unit.seconds())
    }

    /// The length as a [`Duration`].
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.as_secs())
    }
}

impl fmt::Display for TimeSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.letter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(TimeSpan::parse_duration("5m"), Some(TimeSpan::minutes(5)));
        let day = TimeSpan::parse_duration("14d").unwrap();
        assert_eq!(day.as_secs(), 14 * 86_400);
        assert_eq!(day.to_string(), "14d");
        for bad in ["", "m", "5", "5 m", "-5m", "5w", "0m", "5mm", "+5m", "5é"] {
            assert_eq!(TimeSpan::parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parses_relative_starts() {
        assert_eq!(TimeSpan::parse_relative_start("now-9m"), Some(TimeSpan::minutes(9)));
        assert_eq!(TimeSpan::parse_relative_start("now-12h").map(TimeSpan::as_secs), Some(43_200));
        for bad in ["9m", "now", "now-", "now+9m", "NOW-9m", "now-9m/d"] {
            assert_eq!(TimeSpan::parse_relative_start(bad), None, "{bad:?}");
        }
    }
}
