//! Queries and terms whose condition is a constant: they never match, or match every event of
//! their category.
//!
//! The lowerings fold constants as Elasticsearch does before a query runs (`fold.rs`, and
//! [`Cond`]'s constructors); each records the span of every condition that came out constant.
//! When a whole condition is constant, the warning labels the part that made it so: the
//! outermost constant part inside it with the same value, followed inwards while one exists
//! (`a and (b and 1 == 2)` labels `1 == 2`).

use crate::cond::{Cond, DebugSpan};
use crate::error::CompileWarning;
use rule_span::Span;

/// Which part of a statement a program is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Role {
    /// An event query, or a KQL query.
    Query,
    /// A sequence term, counted from 1; `missing` for `![...]`.
    Term { number: usize, missing: bool },
    /// A sequence's `until` term.
    Until,
    /// A sample term, counted from 1.
    Sample { number: usize },
}

impl Role {
    /// Whether the term is a missing event (`![...]`).
    pub(crate) fn missing(self) -> bool {
        matches!(self, Role::Term { missing: true, .. })
    }

    fn name(self) -> String {
        match self {
            Role::Query => "the query".to_owned(),
            Role::Term { number, .. } => format!("sequence term {number}"),
            Role::Until => "the until term".to_owned(),
            Role::Sample { number } => format!("sample term {number}"),
        }
    }
}

/// Records which conditions lowered to a constant, by span.
#[derive(Debug, Default)]
pub(crate) struct Constants {
    spans: Vec<(DebugSpan, bool)>,
}

impl Constants {
    /// Notes that the condition at `span` lowered to `cond`, if that is a constant.
    pub(crate) fn note(&mut self, span: DebugSpan, cond: &Cond) {
        if let Cond::Const(value) = cond {
            self.spans.push((span, *value));
        }
    }

    /// The warning for a condition (at `root`) that lowered to `cond`, if it is constant.
    /// `category` is what the term searches (`None`: any event).
    pub(crate) fn warning(
        &self,
        cond: &Cond,
        root: Span,
        role: Role,
        category: Option<&str>,
    ) -> Option<CompileWarning> {
        let Cond::Const(value) = *cond else { return None };
        let (span, part) = self.culprit((root.start, root.end), value);
        let span = Span { start: span.0, end: span.1 };
        let term = role.name();
        Some(if value {
            let events = category.map_or_else(|| "event".to_owned(), |c| format!("{c} event"));
            CompileWarning::AlwaysMatches { term, events, part, span }
        } else {
            CompileWarning::NeverMatches { term, part, span }
        })
    }

    /// The part of `root` to label, with its value: the outermost constant part inside it of
    /// the same value, or its only constant part of the other value (under a `not`), followed
    /// inwards.
    fn culprit(&self, mut root: DebugSpan, mut value: bool) -> (DebugSpan, bool) {
        loop {
            let inside: Vec<(DebugSpan, bool)> = self
                .spans
                .iter()
                .copied()
                .filter(|&(span, _)| strictly_inside(span, root))
                .collect();
            let mut outermost: Vec<(DebugSpan, bool)> = inside
                .iter()
                .copied()
                .filter(|&(span, _)| !inside.iter().any(|&(other, _)| strictly_inside(span, other)))
                .collect();
            outermost.sort_unstable();
            outermost.dedup();
            let next = match outermost.iter().find(|&&(_, v)| v == value) {
                Some(&same) => same,
                None if outermost.len() == 1 => outermost[0],
                None => return (root, value),
            };
            (root, value) = next;
        }
    }
}

/// Whether `inner` lies within `outer` and is not all of it.
fn strictly_inside(inner: DebugSpan, outer: DebugSpan) -> bool {
    outer.0 <= inner.0 && inner.1 <= outer.1 && inner != outer
}
