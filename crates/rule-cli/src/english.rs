//! A plain-English reading of a query: nested "all of / any of" lists, one condition a line.
//!
//! Semantics stated here are Elasticsearch's: in EQL `==` compares strings case-sensitively
//! while `:` and `~` variants are case-insensitive (EQL syntax reference, "Operators"); a KQL
//! quoted value is a phrase match and `*` alone tests that the field exists (Kibana KQL docs).

use std::fmt::Write;

use eql_syntax::ast as eql;
use kql_syntax::ast as kql;

/// An indented outline being written.
struct Outline {
    text: String,
}

impl Outline {
    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.text, "{:indent$}- {text}", "", indent = depth * 2);
    }
}

/// Reads an EQL query aloud.
pub(crate) fn eql_query(query: &eql::Query) -> String {
    let mut out = Outline { text: String::new() };
    match &query.body {
        eql::QueryBody::Event(event) => {
            let _ = writeln!(out.text, "Matches {} where:", category(&event.category));
            eql_expr(&mut out, 0, &event.condition);
        }
        eql::QueryBody::Sequence(sequence) => {
            let _ = write!(out.text, "Matches a sequence of {} events", sequence.terms.len());
            join_keys(&mut out.text, &sequence.by);
            let _ = write!(out.text, ", in this order");
            if let Some(maxspan) = &sequence.maxspan {
                let _ = write!(out.text, ", all within {maxspan}");
            }
            let _ = writeln!(out.text, ":");
            for (index, term) in sequence.terms.iter().enumerate() {
                sequence_term(&mut out, index + 1, term);
            }
            if let Some(until) = &sequence.until {
                let _ = writeln!(
                    out.text,
                    "The sequence is abandoned when {} arrives where:",
                    category(&until.query.category)
                );
                eql_expr(&mut out, 1, &until.query.condition);
            }
        }
        eql::QueryBody::Sample(sample) => {
            let _ = write!(out.text, "Matches a sample of {} events", sample.terms.len());
            join_keys(&mut out.text, &sample.by);
            let _ = write!(out.text, ", in any order");
            let _ = writeln!(out.text, ":");
            for (index, term) in sample.terms.iter().enumerate() {
                let _ = write!(out.text, "{}. {}", index + 1, category(&term.query.category));
                join_keys(&mut out.text, &term.by);
                let _ = writeln!(out.text, " where:");
                eql_expr(&mut out, 1, &term.query.condition);
            }
        }
    }
    for pipe in &query.pipes {
        let which = match pipe.kind {
            eql::PipeKind::Head => "first",
            eql::PipeKind::Tail => "last",
        };
        let _ = writeln!(out.text, "Keeps only the {which} {} results.", pipe.count);
    }
    out.text
}

fn category(category: &eql::Category) -> String {
    match &category.kind {
        eql::CategoryKind::Any => "any event".to_owned(),
        eql::CategoryKind::Named(name) => format!("{name} events"),
    }
}

fn join_keys(text: &mut String, keys: &[eql::Expr]) {
    if !keys.is_empty() {
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let _ = write!(text, " sharing the same {}", keys.join(", "));
    }
}

fn sequence_term(out: &mut Outline, number: usize, term: &eql::SequenceTerm) {
    let mut head = format!("{number}. ");
    if term.missing {
        head.push_str("no ");
    }
    head.push_str(&category(&term.query.category));
    join_keys(&mut head, &term.by);
    if let Some(runs) = &term.runs {
        let _ = write!(head, ", {} times in a row", runs.node);
    }
    let _ = writeln!(out.text, "{head} where:");
    eql_expr(out, 1, &term.query.condition);
}

fn eql_expr(out: &mut Outline, depth: usize, expr: &eql::Expr) {
    match &expr.kind {
        eql::ExprKind::And(children) => {
            eql_group(out, depth, "all of:", children);
        }
        eql::ExprKind::Or(children) => {
            eql_group(out, depth, "any of:", children);
        }
        eql::ExprKind::Not(inner) => match &inner.kind {
            eql::ExprKind::Or(children) => {
                eql_group(out, depth, "none of:", children);
            }
            eql::ExprKind::And(children) => {
                eql_group(out, depth, "not all of:", children);
            }
            _ => out.line(depth, &format!("not: {}", eql_leaf(inner))),
        },
        _ => out.line(depth, &eql_leaf(expr)),
    }
}

fn eql_group(out: &mut Outline, depth: usize, title: &str, children: &[eql::Expr]) {
    out.line(depth, title);
    for child in children {
        eql_expr(out, depth + 1, child);
    }
}

fn list(values: &[eql::Expr]) -> String {
    values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn eql_leaf(expr: &eql::Expr) -> String {
    match &expr.kind {
        eql::ExprKind::Compare { op, lhs, rhs } => {
            let verb = match op {
                eql::CompareOp::Eq => "is exactly",
                eql::CompareOp::NotEq => "is not exactly",
                eql::CompareOp::Lt => "is less than",
                eql::CompareOp::LtEq => "is at most",
                eql::CompareOp::Gt => "is greater than",
                eql::CompareOp::GtEq => "is at least",
            };
            let note = if matches!(op, eql::CompareOp::Eq | eql::CompareOp::NotEq)
                && matches!(rhs.kind, eql::ExprKind::Literal(eql::Literal::String(_)))
            {
                " (case-sensitive)"
            } else {
                ""
            };
            format!("{lhs} {verb} {rhs}{note}")
        }
        eql::ExprKind::In { expr, values, negated, case_insensitive } => {
            let verb = if *negated { "is none of" } else { "is one of" };
            let case = if *case_insensitive { "ignoring case" } else { "case-sensitive" };
            format!("{expr} {verb} {} ({case})", list(values))
        }
        eql::ExprKind::Match { expr, op, case_insensitive, patterns } => {
            let what = match op {
                eql::MatchOp::Colon => "matches",
                eql::MatchOp::Like => "is like",
                eql::MatchOp::Regex => "matches the regular expression",
            };
            let case = if *case_insensitive || *op == eql::MatchOp::Colon {
                "ignoring case"
            } else {
                "case-sensitive"
            };
            let kind = if *op == eql::MatchOp::Regex { "" } else { ", `*` and `?` wildcards" };
            let any = if patterns.len() > 1 { " any of" } else { "" };
            format!("{expr} {what}{any} {} ({case}{kind})", list(patterns))
        }
        eql::ExprKind::Call { .. } => format!("{expr} is true"),
        eql::ExprKind::Field(field) => format!("{field} is true"),
        _ => format!("{expr}"),
    }
}

/// Reads a KQL query aloud.
pub(crate) fn kql_query(query: &kql::Query) -> String {
    let mut out = Outline { text: "Matches events where:\n".to_owned() };
    kql_node(&mut out, 0, &query.root);
    out.text
}

fn kql_node(out: &mut Outline, depth: usize, node: &kql::Node) {
    match &node.kind {
        kql::NodeKind::MatchAll => {
            out.line(depth, "anything (the empty query matches every event)");
        }
        kql::NodeKind::And(children) => {
            kql_group(out, depth, "all of:", children);
        }
        kql::NodeKind::Or(children) => {
            kql_group(out, depth, "any of:", children);
        }
        kql::NodeKind::Not(inner) => match &inner.kind {
            kql::NodeKind::Or(children) => {
                kql_group(out, depth, "none of:", children);
            }
            kql::NodeKind::And(children) => {
                kql_group(out, depth, "not all of:", children);
            }
            _ => {
                let mut inner_out = Outline { text: String::new() };
                kql_node(&mut inner_out, 0, inner);
                out.line(
                    depth,
                    &format!("not: {}", inner_out.text.trim_start_matches("- ").trim_end()),
                );
            }
        },
        kql::NodeKind::Field { field, values } => out.line(depth, &kql_field(field, values)),
        kql::NodeKind::FreeText(value) => {
            out.line(depth, &format!("any field {}", kql_value(value)));
        }
        kql::NodeKind::Range { field, op, value } => {
            let verb = match op {
                kql::RangeOp::Lt => "is less than",
                kql::RangeOp::Lte => "is at most",
                kql::RangeOp::Gt => "is greater than",
                kql::RangeOp::Gte => "is at least",
            };
            out.line(depth, &format!("{field} {verb} {value}"));
        }
        kql::NodeKind::Nested { path, query } => {
            out.line(depth, &format!("one object of the nested field {path} matches:"));
            kql_node(out, depth + 1, query);
        }
    }
}

fn kql_group(out: &mut Outline, depth: usize, title: &str, children: &[kql::Node]) {
    out.line(depth, title);
    for child in children {
        kql_node(out, depth + 1, child);
    }
}

fn kql_field(field: &kql::Field, values: &kql::ValueExpr) -> String {
    let name = match &field.name {
        kql::FieldName::Null => "any field".to_owned(),
        _ => field.to_string(),
    };
    format!("{name} {}", kql_values(values))
}

fn kql_values(values: &kql::ValueExpr) -> String {
    match &values.kind {
        kql::ValueExprKind::Value(value) => kql_value(value),
        kql::ValueExprKind::Or(children)
            if children.iter().all(|c| matches!(c.kind, kql::ValueExprKind::Value(_))) =>
        {
            let items: Vec<String> = children.iter().map(ToString::to_string).collect();
            format!("is one of {}", items.join(", "))
        }
        kql::ValueExprKind::Or(children) => {
            let items: Vec<String> = children.iter().map(kql_values).collect();
            format!("({})", items.join(", or "))
        }
        kql::ValueExprKind::And(children) => {
            let items: Vec<String> = children.iter().map(kql_values).collect();
            format!("({})", items.join(", and "))
        }
        kql::ValueExprKind::Not(inner) => format!("is not: {}", kql_values(inner)),
    }
}

fn kql_value(value: &kql::Value) -> String {
    match &value.kind {
        kql::ValueKind::Wildcard(wildcard) if wildcard.is_match_any() => "exists".to_owned(),
        kql::ValueKind::Wildcard(_) => format!("matches the wildcard {value}"),
        kql::ValueKind::Quoted(_) => format!("is the phrase {value}"),
        kql::ValueKind::Unquoted(_) | kql::ValueKind::Null | kql::ValueKind::Bool(_) => {
            format!("is {value}")
        }
    }
}
