//! [`Version`]: the ordering of Elasticsearch's `version` field type.
//!
//! ES reference, "Version field type": precedence follows Semantic Versioning — the main
//! numeric parts compare numerically (`2.1.0 < 2.4.1 < 2.11.2`), any number of main parts is
//! allowed (`1.2`, `1.2.3.4`), a pre-release sorts before its release (`1.0.0-alpha < 1.0.0`),
//! pre-release identifiers compare numerically when numeric and as text otherwise (numeric
//! ones first), and a value that is not a valid version sorts after every valid one, in
//! text order. Build metadata (`+build`) is kept as a last tie-breaker so that different
//! texts never compare equal.

use std::cmp::Ordering;
use std::fmt;

/// One parsed `version` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    kind: Kind,
    source: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Valid { main: Vec<u64>, pre: Option<Vec<PreId>>, build: String },
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PreId {
    Numeric(u64),
    Text(String),
}

impl Version {
    /// Reads `text` as ES does (never fails: an invalid version is kept as text).
    pub fn parse(text: &str) -> Version {
        Version {
            kind: parse_valid(text).unwrap_or_else(|| Kind::Invalid(text.to_owned())),
            source: text.to_owned(),
        }
    }

    /// True if `text` was a valid (semver-like) version.
    pub fn is_valid(&self) -> bool {
        matches!(self.kind, Kind::Valid { .. })
    }
}

fn numeric(part: &str) -> Option<u64> {
    let leading_zero = part.len() > 1 && part.starts_with('0');
    if part.is_empty() || leading_zero || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

fn parse_valid(text: &str) -> Option<Kind> {
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => {
            let ok = !build.is_empty()
                && build.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                return None;
            }
            (rest, build.to_owned())
        }
        None => (text, String::new()),
    };
    let (main, pre) = match rest.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (rest, None),
    };
    let main: Vec<u64> = main.split('.').map(numeric).collect::<Option<_>>()?;
    let pre = match pre {
        None => None,
        Some(pre) => Some(
            pre.split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else if id.bytes().all(|b| b.is_ascii_digit()) {
                        numeric(id).map(PreId::Numeric)
                    } else {
                        Some(PreId::Text(id.to_owned()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        ),
    };
    Some(Kind::Valid { main, pre, build })
}

impl Ord for PreId {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PreId::Numeric(a), PreId::Numeric(b)) => a.cmp(b),
            (PreId::Numeric(_), PreId::Text(_)) => Ordering::Less,
            (PreId::Text(_), PreId::Numeric(_)) => Ordering::Greater,
            (PreId::Text(a), PreId::Text(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for PreId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.kind, &other.kind) {
            (Kind::Invalid(a), Kind::Invalid(b)) => a.cmp(b),
            (Kind::Invalid(_), Kind::Valid { .. }) => Ordering::Greater,
            (Kind::Valid { .. }, Kind::Invalid(_)) => Ordering::Less,
            (
                Kind::Valid { main: a, pre: pre_a, build: build_a },
                Kind::Valid { main: b, pre: pre_b, build: build_b },
            ) => a
                .cmp(b)
                .then_with(|| match (pre_a, pre_b) {
                    (None, None) => Ordering::Equal,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                })
                .then_with(|| build_a.cmp(build_b)),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn semver_precedence_then_invalid_versions_last() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.2",
            "1.2.0",
            "1.2.4",
            "1.5.0",
            "1.11.3",
            "2.0.0.1",
            "10.0.0",
            "1.02.3",
            "bad",
        ];
        for pair in ordered.windows(2) {
            assert!(Version::parse(pair[0]) < Version::parse(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert!(!Version::parse("bad").is_valid());
        assert!(!Version::parse("1..2").is_valid());
        assert!(Version::parse("1.2.3-rc.1+build.5").is_valid());
        assert_eq!(Version::parse("1.2.3"), Version::parse("1.2.3"));
    }
}
