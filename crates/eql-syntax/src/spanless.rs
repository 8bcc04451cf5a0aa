//! Comparing trees while ignoring where they came from: every span is reset to the
//! default, so that `parse(print(ast))` can be compared with `ast`.

use rule_span::Span;

use crate::ast::{EventQuery, Expr, ExprKind, Query, QueryBody, SampleTerm, SequenceTerm};

impl Query {
    /// A copy of the tree with every span set to `0..0`.
    #[must_use]
    pub fn without_spans(&self) -> Query {
        let mut copy = self.clone();
        copy.clear_spans();
        copy
    }

    /// True if both trees are equal apart from their spans.
    pub fn eq_ignoring_spans(&self, other: &Query) -> bool {
        self.without_spans() == other.without_spans()
    }

    fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.body {
            QueryBody::Event(query) => query.clear_spans(),
            QueryBody::Sequence(sequence) => {
                sequence.span = Span::default();
                sequence.by.iter_mut().for_each(Expr::clear_spans);
                if let Some(maxspan) = &mut sequence.maxspan {
                    maxspan.span = Span::default();
                }
                sequence
                    .terms
                    .iter_mut()
                    .chain(&mut sequence.until)
                    .for_each(SequenceTerm::clear_spans);
            }
            QueryBody::Sample(sample) => {
                sample.span = Span::default();
                sample.by.iter_mut().for_each(Expr::clear_spans);
                sample.terms.iter_mut().for_each(SampleTerm::clear_spans);
            }
        }
        for pipe in &mut self.pipes {
            pipe.span = Span::default();
        }
    }
}

impl SequenceTerm {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        self.query.clear_spans();
        self.by.iter_mut().for_each(Expr::clear_spans);
        if let Some(runs) = &mut self.runs {
            runs.span = Span::default();
        }
    }
}

impl SampleTerm {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        self.query.clear_spans();
        self.by.iter_mut().for_each(Expr::clear_spans);
    }
}

impl EventQuery {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        self.category.span = Span::default();
        self.condition.clear_spans();
    }
}

impl Expr {
    /// A copy of the expression with every span set to `0..0`.
    #[must_use]
    pub fn without_spans(&self) -> Expr {
        let mut copy = self.clone();
        copy.clear_spans();
        copy
    }

    fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Field(field) => field.span = Span::default(),
            ExprKind::Not(operand) | ExprKind::Neg(operand) => operand.clear_spans(),
            ExprKind::And(operands) | ExprKind::Or(operands) => {
                operands.iter_mut().for_each(Expr::clear_spans);
            }
            ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
                lhs.clear_spans();
                rhs.clear_spans();
            }
            ExprKind::In { expr, values: list, .. }
            | ExprKind::Match { expr, patterns: list, .. } => {
                expr.clear_spans();
                list.iter_mut().for_each(Expr::clear_spans);
            }
            ExprKind::Call { name, args, .. } => {
                name.span = Span::default();
                args.iter_mut().for_each(Expr::clear_spans);
            }
        }
    }
}
