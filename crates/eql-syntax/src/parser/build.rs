//! Builds the AST from pest pairs: statements, event queries, sequences, samples and pipes
//! (expressions are in `build_expr.rs`). The only code besides `build_expr.rs` that touches
//! `Pair<Rule>`. Mistakes the grammar lets through on purpose are reported here.

use pest::iterators::Pair;
use rule_span::{Span, Spanned};

use super::build_expr::number;
use super::pest::Rule;
use crate::ast::{
    Category, CategoryKind, EventQuery, Expr, ExprKind, Literal, Pipe, PipeKind, Query, QueryBody,
    Sample, SampleTerm, Sequence, SequenceTerm, TimeSpan, TimeUnit,
};
use crate::error::EqlError;

/// Largest `with runs=N` Elasticsearch accepts.
const MAX_RUNS: u32 = 100;

/// Collects the errors found while building.
#[derive(Default)]
pub(super) struct Builder {
    /// Every error found so far.
    pub(super) errors: Vec<EqlError>,
}

/// The span of a pair, without the whitespace and comments pest lets a non-atomic rule
/// swallow at its end: it ends where its last token does.
pub(super) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let start = pair.as_span().start();
    let mut last = pair.clone();
    while let Some(child) = last.clone().into_inner().last() {
        last = child;
    }
    Span::from_range(start..last.as_span().end().max(start))
}

impl Builder {
    /// The `query` rule: the whole statement.
    pub(super) fn query(&mut self, pair: Pair<'_, Rule>) -> Query {
        let mut body = None;
        let mut pipes: Vec<Pipe> = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::event_query => body = Some(QueryBody::Event(self.event_query(part))),
                Rule::sequence => body = Some(QueryBody::Sequence(self.sequence(part))),
                Rule::sample => body = Some(QueryBody::Sample(self.sample(part))),
                Rule::pipe => pipes.extend(self.pipe(part)),
                _ => {}
            }
        }
        let body: QueryBody = body.expect("grammar: a query has a body");
        let body_span = match &body {
            QueryBody::Event(query) => query.span,
            QueryBody::Sequence(sequence) => sequence.span,
            QueryBody::Sample(sample) => sample.span,
        };
        let span = pipes.last().map_or(body_span, |pipe| body_span.cover(pipe.span));
        Query { body, pipes, span }
    }

    fn event_query(&mut self, pair: Pair<'_, Rule>) -> EventQuery {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let category = self.category(inner.next().expect("grammar: event query has a category"));
        let condition = inner
            .find(|p| p.as_rule() == Rule::expression)
            .expect("grammar: event query has a condition");
        EventQuery { category, condition: self.expr(condition), span }
    }

    fn category(&mut self, pair: Pair<'_, Rule>) -> Category {
        let span = span_of(&pair);
        let inner = pair.into_inner().next().expect("grammar: category has one token");
        let kind = match inner.as_rule() {
            Rule::kw_any => CategoryKind::Any,
            Rule::string => CategoryKind::Named(self.string(inner)),
            _ => CategoryKind::Named(inner.as_str().to_owned()),
        };
        Category { kind, span }
    }

    fn join_keys(&mut self, pair: Pair<'_, Rule>) -> Vec<Expr> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::expression)
            .map(|p| self.expr(p))
            .collect()
    }

    fn sequence(&mut self, pair: Pair<'_, Rule>) -> Sequence {
        let span = span_of(&pair);
        let mut by = Vec::new();
        let mut by_span: Option<Span> = None;
        let mut maxspan = None;
        let mut maxspan_span: Option<Span> = None;
        let mut terms = Vec::new();
        let mut until = None;
        for part in pair.into_inner() {
            let part_span = span_of(&part);
            match part.as_rule() {
                Rule::join_keys => {
                    if by_span.is_some() {
                        self.errors
                            .push(EqlError::DuplicateClause { clause: "by", span: part_span });
                    } else if maxspan_span.is_some() {
                        self.errors.push(EqlError::SequenceClauseOrder { span: part_span });
                    }
                    by_span = Some(part_span);
                    by = self.join_keys(part);
                }
                Rule::maxspan_clause => {
                    if maxspan_span.is_some() {
                        self.errors.push(EqlError::DuplicateClause {
                            clause: "with maxspan",
                            span: part_span,
                        });
                    }
                    maxspan_span = Some(part_span);
                    let time = part.into_inner().find(|p| p.as_rule() == Rule::time_span);
                    maxspan = time.and_then(|p| self.time_span(p));
                }
                Rule::sequence_term => terms.push(self.sequence_term(part)),
                Rule::until_clause => {
                    let term = part.into_inner().find(|p| p.as_rule() == Rule::sequence_term);
                    until = term.map(|p| self.sequence_term(p));
                }
                _ => {}
            }
        }
        let sequence = Sequence { by, maxspan, terms, until, span };
        self.check_sequence(&sequence, maxspan_span.is_some());
        sequence
    }

    fn check_sequence(&mut self, sequence: &Sequence, has_maxspan: bool) {
        // `with runs=N` repeats a term N times, so `[q] with runs=5` alone is a valid sequence.
        let expanded: u32 = sequence.terms.iter().map(|t| t.runs.map_or(1, |r| r.node)).sum();
        if expanded < 2 {
            self.errors.push(EqlError::SequenceTooShort { span: sequence.span });
        }
        if let Some(missing) = sequence.terms.iter().find(|t| t.missing) {
            if !has_maxspan {
                self.errors.push(EqlError::MissingEventWithoutMaxspan { span: missing.span });
            }
            if sequence.terms.iter().all(|t| t.missing) {
                self.errors.push(EqlError::NoPositiveTerm { span: sequence.span });
            }
        }
        let keys = sequence.terms.iter().chain(&sequence.until).map(|t| (t.by.len(), t.span));
        self.check_key_counts(sequence.by.len(), keys);
    }

    /// Every term needs the same number of join keys (ES `LogicalPlanBuilder`:
    /// "Inconsistent number of join keys specified").
    fn check_key_counts(&mut self, shared: usize, mut terms: impl Iterator<Item = (usize, Span)>) {
        let Some((first, _)) = terms.next() else { return };
        for (count, span) in terms {
            if count != first {
                self.errors.push(EqlError::JoinKeyCount {
                    expected: shared + first,
                    found: shared + count,
                    span,
                });
            }
        }
    }

    fn sequence_term(&mut self, pair: Pair<'_, Rule>) -> SequenceTerm {
        let span = span_of(&pair);
        let mut term = SequenceTerm {
            query: placeholder_query(span),
            by: Vec::new(),
            missing: false,
            runs: None,
            span,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::open_missing => term.missing = true,
                Rule::event_query => term.query = self.event_query(part),
                Rule::join_keys => term.by = self.join_keys(part),
                Rule::runs_clause => term.runs = self.runs(part),
                _ => {}
            }
        }
        term
    }

    fn runs(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<u32>> {
        let number_pair = pair.into_inner().find(|p| p.as_rule() == Rule::number)?;
        let span = span_of(&number_pair);
        let value = match number(&number_pair) {
            Literal::Int(value) => u32::try_from(value).ok().filter(|v| (1..=MAX_RUNS).contains(v)),
            _ => None,
        };
        if value.is_none() {
            self.errors.push(EqlError::RunsOutOfRange { span });
        }
        value.map(|v| Spanned::new(v, span))
    }

    fn time_span(&mut self, pair: Pair<'_, Rule>) -> Option<TimeSpan> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let number_pair = inner.next()?;
        let number_span = span_of(&number_pair);
        let value = match number(&number_pair) {
            Literal::Int(value) => u64::try_from(value).ok(),
            _ => None,
        };
        let Some(unit_pair) = inner.next() else {
            self.errors.push(EqlError::MaxspanWithoutUnit { span: number_span });
            return None;
        };
        let Some(unit) = TimeUnit::from_suffix(unit_pair.as_str()) else {
            let unit = unit_pair.as_str().to_owned();
            self.errors.push(EqlError::UnknownTimeUnit { unit, span: span_of(&unit_pair) });
            return None;
        };
        let Some(value) = value else {
            self.errors.push(EqlError::MaxspanNotInteger { span: number_span });
            return None;
        };
        Some(TimeSpan { value, unit, span })
    }

    fn sample(&mut self, pair: Pair<'_, Rule>) -> Sample {
        let span = span_of(&pair);
        let mut by = Vec::new();
        let mut terms = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::join_keys => by = self.join_keys(part),
                Rule::sample_term => terms.push(self.sample_term(part)),
                _ => {}
            }
        }
        self.check_key_counts(by.len(), terms.iter().map(|t| (t.by.len(), t.span)));
        Sample { by, terms, span }
    }

    fn sample_term(&mut self, pair: Pair<'_, Rule>) -> SampleTerm {
        let span = span_of(&pair);
        let mut term = SampleTerm { query: placeholder_query(span), by: Vec::new(), span };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::event_query => term.query = self.event_query(part),
                Rule::join_keys => term.by = self.join_keys(part),
                _ => {}
            }
        }
        term
    }

    /// `| head N` / `| tail N`; anything else is reported.
    fn pipe(&mut self, pair: Pair<'_, Rule>) -> Option<Pipe> {
        let span = span_of(&pair);
        let mut inner =
            pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::pipe_bar | Rule::comma));
        let name_pair = inner.next()?;
        let (kind, name) = match name_pair.as_str() {
            "head" => (PipeKind::Head, "head"),
            "tail" => (PipeKind::Tail, "tail"),
            other => {
                self.errors.push(EqlError::UnsupportedPipe {
                    name: other.to_owned(),
                    span: span_of(&name_pair),
                });
                return None;
            }
        };
        let args: Vec<Expr> = inner.map(|p| self.expr(p)).collect();
        let count = match args.as_slice() {
            [Expr { kind: ExprKind::Literal(Literal::Int(n)), .. }] if *n > 0 => {
                u64::try_from(*n).ok()
            }
            _ => None,
        };
        let Some(count) = count else {
            self.errors.push(EqlError::PipeCount { name, span });
            return None;
        };
        Some(Pipe { kind, count, span })
    }
}

/// Stands in for a term's query until the real one is built (the grammar guarantees one).
fn placeholder_query(span: Span) -> EventQuery {
    EventQuery {
        category: Category { kind: CategoryKind::Any, span },
        condition: Expr { kind: ExprKind::Literal(Literal::Bool(true)), span },
        span,
    }
}
