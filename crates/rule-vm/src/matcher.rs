//! Precompiled string matchers: exact, prefix, suffix, contains and general globs, each
//! case-sensitive or case-insensitive (performance.md §4.3: turn wildcards into the cheapest
//! check).
//!
//! A glob is a whole-value pattern where `*` matches any run of chars (including none, and
//! newlines) and `?` exactly one char. Case-insensitive matchers fold the pattern once when
//! built; at match time the value is folded into a scratch buffer owned by the caller.

use crate::text::{fold, fold_into};
use memchr::memmem;
use std::fmt;

/// Whether a string test distinguishes case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CaseMode {
    /// Case-sensitive (`==`, `like`, KQL on keyword fields).
    Sensitive,
    /// Case-insensitive (`:`, `like~`, `in~`, `fn~`).
    Insensitive,
}

impl CaseMode {
    /// `Insensitive` when `flag` is true.
    pub fn insensitive_if(flag: bool) -> Self {
        if flag { CaseMode::Insensitive } else { CaseMode::Sensitive }
    }

    /// Prepares `value` for comparison with a pattern built in this mode: unchanged when
    /// case-sensitive, folded into `scratch` when not.
    pub fn prepare<'s>(self, value: &'s str, scratch: &'s mut String) -> &'s str {
        match self {
            CaseMode::Sensitive => value,
            CaseMode::Insensitive => {
                fold_into(value, scratch);
                scratch
            }
        }
    }

    /// `pattern` in the form this mode compares against (folded when case-insensitive).
    pub fn normalize(self, pattern: &str) -> String {
        match self {
            CaseMode::Sensitive => pattern.to_owned(),
            CaseMode::Insensitive => fold(pattern),
        }
    }
}

/// One piece of a glob pattern.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GlobPart {
    /// Literal text.
    Literal(String),
    /// `*`: any run of chars, possibly empty.
    AnyRun,
    /// `?`: exactly one char.
    AnyChar,
}

/// Splits `pattern` into glob parts: every `*` is a wildcard, and every `?` too when
/// `question_mark` is set (EQL `:` and `like`, where there is no escaping, ES
/// `StringUtils.toLikePattern`). KQL uses `question_mark = false`.
pub fn glob_parts(pattern: &str, question_mark: bool) -> Vec<GlobPart> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    for c in pattern.chars() {
        let wildcard = match c {
            '*' => Some(GlobPart::AnyRun),
            '?' if question_mark => Some(GlobPart::AnyChar),
            _ => None,
        };
        match wildcard {
            Some(part) => {
                if !literal.is_empty() {
                    parts.push(GlobPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(part);
            }
            None => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(GlobPart::Literal(literal));
    }
    parts
}

/// A char of a glob segment: a literal char or `?`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SegChar {
    Lit(char),
    Any,
}

/// A run of pattern between two `*`, matched char by char.
#[derive(Clone, Debug)]
struct Segment {
    chars: Vec<SegChar>,
    /// The segment's text when it has no `?` (searched with `memmem`).
    literal: Option<String>,
}

impl Segment {
    /// If the segment matches at the start of `s`, the number of bytes it consumes.
    fn match_at(&self, s: &str) -> Option<usize> {
        if let Some(lit) = &self.literal {
            return s.starts_with(lit.as_str()).then_some(lit.len());
        }
        let mut used = 0;
        let mut it = s.chars();
        for want in &self.chars {
            let c = it.next()?;
            if let SegChar::Lit(l) = want
                && *l != c
            {
                return None;
            }
            used += c.len_utf8();
        }
        Some(used)
    }

    /// The first place in `s` where the segment matches: (start, end) byte offsets.
    fn find(&self, s: &str) -> Option<(usize, usize)> {
        if let Some(lit) = &self.literal {
            return memmem::find(s.as_bytes(), lit.as_bytes()).map(|at| (at, at + lit.len()));
        }
        s.char_indices()
            .map(|(at, _)| at)
            .chain(std::iter::once(s.len()))
            .find_map(|at| self.match_at(&s[at..]).map(|len| (at, at + len)))
    }
}

/// A general glob: `first*middle*...*last`, anchored at both ends.
#[derive(Clone, Debug)]
struct Glob {
    /// The segments between stars; the first is anchored at the start unless the pattern
    /// starts with `*`, the last at the end unless it ends with `*`.
    segments: Vec<Segment>,
    leading_star: bool,
    trailing_star: bool,
}

impl Glob {
    fn new(parts: &[GlobPart]) -> Self {
        let mut segments = vec![Vec::new()];
        for part in parts {
            match part {
                GlobPart::Literal(text) => {
                    segments
                        .last_mut()
                        .into_iter()
                        .for_each(|seg| seg.extend(text.chars().map(SegChar::Lit)));
                }
                GlobPart::AnyChar => {
                    segments.last_mut().into_iter().for_each(|seg| seg.push(SegChar::Any));
                }
                GlobPart::AnyRun => segments.push(Vec::new()),
            }
        }
        let leading_star = matches!(parts.first(), Some(GlobPart::AnyRun));
        let trailing_star = matches!(parts.last(), Some(GlobPart::AnyRun));
        let segments = segments
            .into_iter()
            .filter(|chars| !chars.is_empty())
            .map(|chars| {
                let literal = chars
                    .iter()
                    .map(|c| match c {
                        SegChar::Lit(l) => Some(*l),
                        SegChar::Any => None,
                    })
                    .collect::<Option<String>>();
                Segment { chars, literal }
            })
            .collect();
        Glob { segments, leading_star, trailing_star }
    }

    fn is_match(&self, s: &str) -> bool {
        let mut rest = s;
        let count = self.segments.len();
        for (index, segment) in self.segments.iter().enumerate() {
            let first = index == 0;
            let last = index + 1 == count;
            if first && !self.leading_star {
                match segment.match_at(rest) {
                    Some(len) => rest = &rest[len..],
                    None => return false,
                }
                if last && !self.trailing_star {
                    return rest.is_empty();
                }
                continue;
            }
            if last && !self.trailing_star {
                // Fixed char length: it must match exactly the tail.
                let n = segment.chars.len();
                let Some((at, _)) = rest.char_indices().rev().nth(n.saturating_sub(1)) else {
                    return n == 0;
                };
                return segment.match_at(&rest[at..]) == Some(rest.len() - at);
            }
            match segment.find(rest) {
                Some((_, end)) => rest = &rest[end..],
                None => return false,
            }
        }
        // No segments: the pattern was only stars (or empty).
        count > 0 || self.leading_star || rest.is_empty()
    }
}

/// The cheapest check equivalent to a pattern.
#[derive(Clone, Debug)]
enum Kind {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(Box<memmem::Finder<'static>>),
    Glob(Glob),
}

/// A precompiled whole-value string pattern with a case mode.
#[derive(Clone, Debug)]
pub struct StrMatcher {
    kind: Kind,
    case: CaseMode,
    /// The pattern as written (wildcards as `*`/`?`), for listings.
    source: String,
}

impl StrMatcher {
    /// Builds the cheapest matcher for `parts` in `case` mode.
    pub fn new(parts: &[GlobPart], case: CaseMode) -> Self {
        let parts: Vec<GlobPart> = normalize_parts(parts, case);
        let source = parts
            .iter()
            .map(|part| match part {
                GlobPart::Literal(text) => text.as_str(),
                GlobPart::AnyRun => "*",
                GlobPart::AnyChar => "?",
            })
            .collect();
        let kind = match parts.as_slice() {
            [] => Kind::Exact(String::new()),
            [GlobPart::Literal(text)] => Kind::Exact(text.clone()),
            [GlobPart::Literal(text), GlobPart::AnyRun] => Kind::Prefix(text.clone()),
            [GlobPart::AnyRun, GlobPart::Literal(text)] => Kind::Suffix(text.clone()),
            [GlobPart::AnyRun, GlobPart::Literal(text), GlobPart::AnyRun] => {
                Kind::Contains(Box::new(memmem::Finder::new(text.as_bytes()).into_owned()))
            }
            _ => Kind::Glob(Glob::new(&parts)),
        };
        StrMatcher { kind, case, source }
    }

    /// A glob from pattern text (see [`glob_parts`]).
    pub fn glob(pattern: &str, question_mark: bool, case: CaseMode) -> Self {
        Self::new(&glob_parts(pattern, question_mark), case)
    }

    /// A matcher for exactly `text`.
    pub fn exact(text: &str, case: CaseMode) -> Self {
        Self::new(&[GlobPart::Literal(text.to_owned())], case)
    }

    /// A matcher for values starting with `text`.
    pub fn prefix(text: &str, case: CaseMode) -> Self {
        Self::new(&[GlobPart::Literal(text.to_owned()), GlobPart::AnyRun], case)
    }

    /// True if `value` matches; `scratch` is used to fold the value when case-insensitive.
    pub fn is_match(&self, value: &str, scratch: &mut String) -> bool {
        let value = self.case.prepare(value, scratch);
        match &self.kind {
            Kind::Exact(text) => value == text,
            Kind::Prefix(text) => value.starts_with(text.as_str()),
            Kind::Suffix(text) => value.ends_with(text.as_str()),
            Kind::Contains(finder) => finder.find(value.as_bytes()).is_some(),
            Kind::Glob(glob) => glob.is_match(value),
        }
    }

    /// The case mode.
    pub fn case(&self) -> CaseMode {
        self.case
    }

    /// The whole value this matcher accepts when it is an exact match (folded when
    /// case-insensitive), else `None`.
    pub(crate) fn exact_text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(text) => Some(text),
            _ => None,
        }
    }

    /// The name of the check this pattern compiled to (`exact`, `prefix`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Exact(_) => "exact",
            Kind::Prefix(_) => "prefix",
            Kind::Suffix(_) => "suffix",
            Kind::Contains(_) => "contains",
            Kind::Glob(_) => "glob",
        }
    }
}

impl fmt::Display for StrMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ci = if self.case == CaseMode::Insensitive { "~" } else { "" };
        write!(f, "{}{ci} {:?}", self.kind_name(), self.source)
    }
}

/// Folds literals (case-insensitive), merges adjacent literals and collapses runs of `*`.
fn normalize_parts(parts: &[GlobPart], case: CaseMode) -> Vec<GlobPart> {
    let mut out: Vec<GlobPart> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (_, GlobPart::Literal(text)) if text.is_empty() => {}
            (Some(GlobPart::Literal(prev)), GlobPart::Literal(text)) => {
                prev.push_str(&case.normalize(text));
            }
            (Some(GlobPart::AnyRun), GlobPart::AnyRun) => {}
            (_, GlobPart::Literal(text)) => out.push(GlobPart::Literal(case.normalize(text))),
            (_, other) => out.push(other.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, value: &str) -> bool {
        StrMatcher::glob(pattern, true, CaseMode::Sensitive).is_match(value, &mut String::new())
    }

    #[test]
    fn picks_the_cheapest_kind() {
        let kind = |p: &str| StrMatcher::glob(p, true, CaseMode::Sensitive).kind_name();
        assert_eq!(kind("abc"), "exact");
        assert_eq!(kind("abc*"), "prefix");
        assert_eq!(kind("**abc"), "suffix");
        assert_eq!(kind("*abc*"), "contains");
        assert_eq!(kind("a*c"), "glob");
        assert_eq!(kind("a?c"), "glob");
    }

    #[test]
    fn globs_match_whole_values() {
        assert!(m("a*c", "abbbc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "acb"));
        assert!(m("a?c", "abc"));
        assert!(m("a?c", "aéc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*", ""));
        assert!(m("*", "x\ny"));
        assert!(m("", ""));
        assert!(!m("", "x"));
        assert!(m("?:\\Windows\\Tasks\\*", "C:\\Windows\\Tasks\\x.job"));
        assert!(!m("?:\\Windows\\Tasks\\*", "CC:\\Windows\\Tasks\\x.job"));
        assert!(m("*a?b*c", "zzaxbyyc"));
        assert!(!m("*a?b*c", "zzaxbyycd"));
        assert!(m("ab*ab", "abab"));
        assert!(m("ab*ab", "abxab"));
        assert!(!m("ab*ab", "ab"));
        assert!(m("*?", "x"));
        assert!(!m("*?", ""));
    }

    #[test]
    fn case_insensitive_folds_both_sides() {
        let matcher = StrMatcher::glob("*\\SYSTEM32\\*.EXE", true, CaseMode::Insensitive);
        let mut scratch = String::new();
        assert!(matcher.is_match("c:\\windows\\System32\\Cmd.exe", &mut scratch));
        assert!(!matcher.is_match("c:\\windows\\System64\\Cmd.exe", &mut scratch));
        let sensitive = StrMatcher::exact("Cmd", CaseMode::Sensitive);
        assert!(!sensitive.is_match("cmd", &mut scratch));
    }
}
