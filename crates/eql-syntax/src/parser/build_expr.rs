//! Builds [`Expr`] trees from the pest pairs of the expression rules, and literal values.
//!
//! Mirrors Elasticsearch `eql/parser/ExpressionBuilder.java`: a unary minus on a number
//! literal is folded into the literal, integers too large for a long become doubles, and
//! `!=` stays a comparison (ES rewrites it to `not ==` later, which the compiler does).

use pest::iterators::Pair;

use super::build::{Builder, span_of};
use super::pest::Rule;
use super::strings;
use crate::ast::{ArithOp, CompareOp, Expr, ExprKind, FieldRef, FunctionName, Literal, MatchOp};
use crate::error::EqlError;

impl Builder {
    /// `expression` and every rule below it.
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let pair = skip_wrappers(pair);
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::or_expr => self.flat_chain(pair, ExprKind::Or),
            Rule::and_expr => self.flat_chain(pair, ExprKind::And),
            Rule::not_expr => {
                let mut inner = pair.into_inner();
                let first = inner.next().expect("grammar: not_expr is never empty");
                match inner.next() {
                    Some(operand) => {
                        Expr { kind: ExprKind::Not(Box::new(self.expr(operand))), span }
                    }
                    None => self.expr(first),
                }
            }
            Rule::comparison => self.comparison(pair),
            Rule::additive | Rule::multiplicative => self.arithmetic(pair),
            Rule::unary => self.unary(pair),
            Rule::predicated => self.predicated(pair),
            Rule::constant => Expr { kind: ExprKind::Literal(self.constant(pair)), span },
            Rule::call => self.call(pair),
            Rule::field => Expr { kind: ExprKind::Field(field(pair)), span },
            rule => unreachable!("grammar gives no {rule:?} in an expression"),
        }
    }

    /// `a or b or c` becomes one node with three operands.
    fn flat_chain(&mut self, pair: Pair<'_, Rule>, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
        let span = span_of(&pair);
        let mut items: Vec<Expr> = pair
            .into_inner()
            .filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and))
            .map(|p| self.expr(p))
            .collect();
        if items.len() == 1 { items.remove(0) } else { Expr { kind: make(items), span } }
    }

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let mut inner = pair.into_inner();
        let first = inner.next().expect("grammar: comparison starts with an operand");
        let mut lhs = self.expr(first);
        let mut chained = false;
        while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
            let op_span = span_of(&op);
            if chained {
                self.errors.push(EqlError::ChainedComparison { span: op_span });
            }
            chained = true;
            let op = match op.as_str() {
                "==" => CompareOp::Eq,
                "!=" => CompareOp::NotEq,
                "<" => CompareOp::Lt,
                "<=" => CompareOp::LtEq,
                ">" => CompareOp::Gt,
                ">=" => CompareOp::GtEq,
                _ => {
                    self.errors.push(EqlError::SingleEquals { span: op_span });
                    CompareOp::Eq
                }
            };
            let rhs = self.expr(rhs);
            let span = lhs.span.cover(rhs.span);
            lhs = Expr {
                kind: ExprKind::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                span,
            };
        }
        lhs
    }

    /// Left-associative `+ -` or `* / %` chains.
    fn arithmetic(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let mut inner = pair.into_inner();
        let first = inner.next().expect("grammar: arithmetic starts with an operand");
        let mut lhs = self.expr(first);
        while let (Some(op), Some(rhs)) = (inner.next(), inner.next()) {
            let op = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                "/" => ArithOp::Div,
                _ => ArithOp::Mod,
            };
            let rhs = self.expr(rhs);
            let span = lhs.span.cover(rhs.span);
            lhs =
                Expr { kind: ExprKind::Arith { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        lhs
    }

    fn unary(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let first = inner.next().expect("grammar: unary has an operand");
        let Some(operand) = inner.next() else { return self.expr(first) };
        let operand = self.expr(operand);
        if first.as_str() == "+" {
            return Expr { span, ..operand };
        }
        let kind = match operand.kind {
            ExprKind::Literal(Literal::Int(value)) => ExprKind::Literal(Literal::Int(-value)),
            ExprKind::Literal(Literal::Float(value)) => ExprKind::Literal(Literal::Float(-value)),
            other => ExprKind::Neg(Box::new(Expr { kind: other, span: operand.span })),
        };
        Expr { kind, span }
    }

    fn predicated(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let subject = self.expr(inner.next().expect("grammar: predicated has a primary"));
        let Some(predicate) = inner.next() else { return subject };
        let expr = Box::new(subject);
        let kind = if predicate.as_rule() == Rule::in_predicate {
            let mut negated = false;
            let mut case_insensitive = false;
            let mut values = Vec::new();
            for part in predicate.into_inner() {
                match part.as_rule() {
                    Rule::kw_not => negated = true,
                    Rule::kw_in_ci => case_insensitive = true,
                    Rule::expression => values.push(self.expr(part)),
                    _ => {}
                }
            }
            ExprKind::In { expr, values, negated, case_insensitive }
        } else {
            let mut op = MatchOp::Colon;
            let mut case_insensitive = true;
            let mut patterns = Vec::new();
            for part in predicate.into_inner() {
                match part.as_rule() {
                    Rule::match_op => (op, case_insensitive) = match_op(part.as_str()),
                    Rule::constant => patterns.push(self.expr(part)),
                    _ => {}
                }
            }
            ExprKind::Match { expr, op, case_insensitive, patterns }
        };
        Expr { kind, span }
    }

    fn call(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let name_pair = inner.next().expect("grammar: call starts with a name");
        let written = name_pair.as_str();
        let case_insensitive = written.ends_with('~');
        let name = FunctionName {
            name: written.trim_end_matches('~').to_owned(),
            span: span_of(&name_pair),
        };
        let args =
            inner.filter(|p| p.as_rule() == Rule::expression).map(|p| self.expr(p)).collect();
        Expr { kind: ExprKind::Call { name, case_insensitive, args }, span }
    }

    /// `constant`: `null`, booleans, numbers and strings.
    pub(super) fn constant(&mut self, pair: Pair<'_, Rule>) -> Literal {
        let inner = pair.into_inner().next().expect("grammar: constant has one token");
        match inner.as_rule() {
            Rule::kw_null => Literal::Null,
            Rule::kw_true => Literal::Bool(true),
            Rule::kw_false => Literal::Bool(false),
            Rule::number => number(&inner),
            _ => Literal::String(self.string(inner)),
        }
    }

    /// The value of a `string` pair (raw or quoted), escapes decoded.
    pub(super) fn string(&mut self, pair: Pair<'_, Rule>) -> String {
        let inner = pair.into_inner().next().expect("grammar: string is raw or quoted");
        let text = inner.as_str();
        if inner.as_rule() == Rule::raw_string {
            return strings::decode_raw(text);
        }
        let body = text.get(1..text.len() - 1).unwrap_or_default();
        strings::decode_quoted(body, inner.as_span().start() + 1, &mut self.errors)
    }
}

/// The value of a `number` pair: an `i64` when it fits, otherwise an `f64` (as ES does).
pub(super) fn number(pair: &Pair<'_, Rule>) -> Literal {
    let text = pair.as_str();
    let is_integer = pair.clone().into_inner().next().is_some_and(|p| p.as_rule() == Rule::integer);
    if is_integer && let Ok(value) = text.parse::<i64>() {
        return Literal::Int(value);
    }
    // The grammar only admits digit strings that `f64::from_str` accepts; overflow gives infinity.
    Literal::Float(text.parse::<f64>().unwrap_or(f64::INFINITY))
}

fn match_op(text: &str) -> (MatchOp, bool) {
    match text {
        "like" => (MatchOp::Like, false),
        "like~" => (MatchOp::Like, true),
        "regex" => (MatchOp::Regex, false),
        "regex~" => (MatchOp::Regex, true),
        _ => (MatchOp::Colon, true),
    }
}

/// A `field` pair: `?`, segments, backticks removed, joined by dots.
fn field(pair: Pair<'_, Rule>) -> FieldRef {
    let span = span_of(&pair);
    let mut optional = false;
    let mut segments = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::optional_mark => optional = true,
            Rule::quoted_segment => {
                let text = part.as_str();
                segments.push(text[1..text.len() - 1].replace("``", "`"));
            }
            _ => segments.push(part.as_str().to_owned()),
        }
    }
    FieldRef { name: segments.join("."), optional, span }
}

/// Descends, in a loop rather than by recursion, through rules that only wrap one operand
/// (`expression`, a one-operand `or_expr`, ..., parentheses), so that building a deeply
/// nested query costs stack only for real operators.
fn skip_wrappers(mut pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    loop {
        let rule = pair.as_rule();
        let mut inner = pair.clone().into_inner();
        let next = match (rule, inner.next(), inner.next()) {
            (Rule::paren, Some(_), Some(expression)) => expression,
            (
                Rule::expression
                | Rule::or_expr
                | Rule::and_expr
                | Rule::not_expr
                | Rule::comparison
                | Rule::additive
                | Rule::multiplicative
                | Rule::unary
                | Rule::predicated,
                Some(only),
                None,
            ) => only,
            _ => return pair,
        };
        pair = next;
    }
}
