//! An indented print of a syntax tree, one node a line with its span in the query.

use std::fmt::Write;

use eql_syntax::ast as eql;
use kql_syntax::ast as kql;
use rule_span::Span;

struct Tree {
    text: String,
}

impl Tree {
    fn node(&mut self, depth: usize, label: &str, span: Span) {
        let _ = writeln!(
            self.text,
            "{:indent$}{label} @{}..{}",
            "",
            span.start,
            span.end,
            indent = depth * 2
        );
    }
}

/// The tree of an EQL query.
pub(crate) fn eql_tree(query: &eql::Query) -> String {
    let mut tree = Tree { text: String::new() };
    match &query.body {
        eql::QueryBody::Event(event) => event_query(&mut tree, 0, event),
        eql::QueryBody::Sequence(sequence) => {
            tree.node(0, "Sequence", sequence.span);
            if let Some(maxspan) = &sequence.maxspan {
                tree.node(1, &format!("maxspan {maxspan}"), maxspan.span);
            }
            sequence.by.iter().for_each(|key| expr(&mut tree, 1, key, "by "));
            for term in &sequence.terms {
                let label = if term.missing { "MissingTerm" } else { "Term" };
                let runs = term.runs.map(|r| format!(" runs={}", r.node)).unwrap_or_default();
                tree.node(1, &format!("{label}{runs}"), term.span);
                event_query(&mut tree, 2, &term.query);
                term.by.iter().for_each(|key| expr(&mut tree, 2, key, "by "));
            }
            if let Some(until) = &sequence.until {
                tree.node(1, "Until", until.span);
                event_query(&mut tree, 2, &until.query);
            }
        }
        eql::QueryBody::Sample(sample) => {
            tree.node(0, "Sample", sample.span);
            sample.by.iter().for_each(|key| expr(&mut tree, 1, key, "by "));
            for term in &sample.terms {
                tree.node(1, "Term", term.span);
                event_query(&mut tree, 2, &term.query);
                term.by.iter().for_each(|key| expr(&mut tree, 2, key, "by "));
            }
        }
    }
    for pipe in &query.pipes {
        tree.node(0, &pipe.to_string(), pipe.span);
    }
    tree.text
}

fn event_query(tree: &mut Tree, depth: usize, query: &eql::EventQuery) {
    tree.node(depth, &format!("Event {}", query.category), query.span);
    expr(tree, depth + 1, &query.condition, "");
}

fn expr(tree: &mut Tree, depth: usize, node: &eql::Expr, prefix: &str) {
    let children: Vec<&eql::Expr> = match &node.kind {
        eql::ExprKind::Literal(literal) => {
            tree.node(depth, &format!("{prefix}Literal {literal}"), node.span);
            return;
        }
        eql::ExprKind::Field(field) => {
            tree.node(depth, &format!("{prefix}Field {field}"), node.span);
            return;
        }
        eql::ExprKind::Not(inner) | eql::ExprKind::Neg(inner) => {
            let label = if matches!(node.kind, eql::ExprKind::Not(_)) { "Not" } else { "Neg" };
            tree.node(depth, &format!("{prefix}{label}"), node.span);
            vec![inner]
        }
        eql::ExprKind::And(children) | eql::ExprKind::Or(children) => {
            let label = if matches!(node.kind, eql::ExprKind::And(_)) { "And" } else { "Or" };
            tree.node(depth, &format!("{prefix}{label}"), node.span);
            children.iter().collect()
        }
        eql::ExprKind::Compare { op, lhs, rhs } => {
            tree.node(depth, &format!("{prefix}Compare {}", op.symbol()), node.span);
            vec![lhs, rhs]
        }
        eql::ExprKind::Arith { op, lhs, rhs } => {
            tree.node(depth, &format!("{prefix}Arith {}", op.symbol()), node.span);
            vec![lhs, rhs]
        }
        eql::ExprKind::In { expr: lhs, values, negated, case_insensitive } => {
            let op = format!(
                "{}in{}",
                if *negated { "not " } else { "" },
                if *case_insensitive { "~" } else { "" }
            );
            tree.node(depth, &format!("{prefix}In `{op}`"), node.span);
            std::iter::once(&**lhs).chain(values).collect()
        }
        eql::ExprKind::Match { expr: lhs, op, case_insensitive, patterns } => {
            let symbol = match op {
                eql::MatchOp::Colon => ":",
                eql::MatchOp::Like => "like",
                eql::MatchOp::Regex => "regex",
            };
            let tilde = if *case_insensitive && *op != eql::MatchOp::Colon { "~" } else { "" };
            tree.node(depth, &format!("{prefix}Match `{symbol}{tilde}`"), node.span);
            std::iter::once(&**lhs).chain(patterns).collect()
        }
        eql::ExprKind::Call { name, case_insensitive, args } => {
            let tilde = if *case_insensitive { "~" } else { "" };
            tree.node(depth, &format!("{prefix}Call {}{tilde}", name.name), node.span);
            args.iter().collect()
        }
    };
    for child in children {
        expr(tree, depth + 1, child, "");
    }
}

/// The tree of a KQL query.
pub(crate) fn kql_tree(query: &kql::Query) -> String {
    let mut tree = Tree { text: String::new() };
    kql_node(&mut tree, 0, &query.root);
    tree.text
}

fn kql_node(tree: &mut Tree, depth: usize, node: &kql::Node) {
    match &node.kind {
        kql::NodeKind::MatchAll => tree.node(depth, "MatchAll", node.span),
        kql::NodeKind::Or(children) | kql::NodeKind::And(children) => {
            let label = if matches!(node.kind, kql::NodeKind::And(_)) { "And" } else { "Or" };
            tree.node(depth, label, node.span);
            for child in children {
                kql_node(tree, depth + 1, child);
            }
        }
        kql::NodeKind::Not(inner) => {
            tree.node(depth, "Not", node.span);
            kql_node(tree, depth + 1, inner);
        }
        kql::NodeKind::Field { field, values } => {
            tree.node(depth, &format!("Field {field}"), node.span);
            kql_values(tree, depth + 1, values);
        }
        kql::NodeKind::FreeText(value) => tree.node(depth, &format!("FreeText {value}"), node.span),
        kql::NodeKind::Range { field, op, value } => {
            tree.node(depth, &format!("Range {field} {op:?} {value}"), node.span);
        }
        kql::NodeKind::Nested { path, query } => {
            tree.node(depth, &format!("Nested {path}"), node.span);
            kql_node(tree, depth + 1, query);
        }
    }
}

fn kql_values(tree: &mut Tree, depth: usize, values: &kql::ValueExpr) {
    match &values.kind {
        kql::ValueExprKind::Or(children) | kql::ValueExprKind::And(children) => {
            let label =
                if matches!(values.kind, kql::ValueExprKind::And(_)) { "And" } else { "Or" };
            tree.node(depth, label, values.span);
            for child in children {
                kql_values(tree, depth + 1, child);
            }
        }
        kql::ValueExprKind::Not(inner) => {
            tree.node(depth, "Not", values.span);
            kql_values(tree, depth + 1, inner);
        }
        kql::ValueExprKind::Value(value) => {
            let kind = match value.kind {
                kql::ValueKind::Quoted(_) => "Quoted",
                kql::ValueKind::Unquoted(_) => "Unquoted",
                kql::ValueKind::Wildcard(_) => "Wildcard",
                kql::ValueKind::Null => "Null",
                kql::ValueKind::Bool(_) => "Bool",
            };
            tree.node(depth, &format!("{kind} {value}"), value.span);
        }
    }
}
