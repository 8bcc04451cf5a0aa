//! The canonical layout of a query for `warden fmt`: the syntax crates' printers, with line
//! breaks where a line would pass [`WIDTH`].
//!
//! Only three places break: a boolean chain puts one clause per line (the first on the
//! current line, the others indented, each line ending with its `and`/`or`, as the
//! detection-rules corpus writes them); a long value list (`in (...)`, `: (...)`,
//! `f:(a or b ...)`) fills lines; a sequence or sample puts each bracketed term on its own
//! line. Everything else is printed by the AST's `Display`, so the layout depends only on the
//! tree: formatting twice gives the same text.

use std::fmt::Display;

use eql_syntax::ast as eql;
use kql_syntax::ast as kql;

/// Lines are broken when they would pass this many characters.
pub(crate) const WIDTH: usize = 100;

/// A growing text that knows its current column.
struct Out {
    text: String,
}

impl Out {
    fn column(&self) -> usize {
        let line_start = self.text.rfind('\n').map_or(0, |at| at + 1);
        self.text[line_start..].chars().count()
    }

    fn fits(&self, extra: &str) -> bool {
        self.column() + extra.chars().count() <= WIDTH
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn newline(&mut self, indent: usize) {
        self.text.push('\n');
        self.text.extend(std::iter::repeat_n(' ', indent));
    }

    /// Writes `items` separated by `separator`, starting a new line at `indent` before an
    /// item that would pass the width.
    fn fill<T: Display>(&mut self, items: &[T], separator: &str, indent: usize) {
        for (index, item) in items.iter().enumerate() {
            let text = item.to_string();
            if index > 0 {
                let trimmed = separator.trim_end();
                self.push(trimmed);
                if self.fits(&format!("{}{text}", &separator[trimmed.len()..])) {
                    self.push(&separator[trimmed.len()..]);
                } else {
                    self.newline(indent);
                }
            }
            self.push(&text);
        }
    }
}

/// The canonical layout of an EQL query.
pub(crate) fn eql_query(query: &eql::Query) -> String {
    let mut out = Out { text: String::new() };
    match &query.body {
        eql::QueryBody::Event(event) => eql_event(&mut out, event, 2),
        eql::QueryBody::Sequence(sequence) => {
            out.push("sequence");
            eql_by(&mut out, &sequence.by);
            if let Some(maxspan) = &sequence.maxspan {
                out.push(&format!(" with maxspan={maxspan}"));
            }
            for term in &sequence.terms {
                out.newline(2);
                eql_sequence_term(&mut out, term);
            }
            if let Some(until) = &sequence.until {
                out.newline(0);
                out.push("until ");
                eql_sequence_term(&mut out, until);
            }
        }
        eql::QueryBody::Sample(sample) => {
            out.push("sample");
            eql_by(&mut out, &sample.by);
            for term in &sample.terms {
                out.newline(2);
                out.push("[");
                let indent = out.column() + 1;
                eql_event(&mut out, &term.query, indent);
                out.push("]");
                eql_by(&mut out, &term.by);
            }
        }
    }
    let multi_line = out.text.contains('\n');
    for pipe in &query.pipes {
        if multi_line {
            out.newline(0);
        } else {
            out.push(" ");
        }
        out.push(&pipe.to_string());
    }
    out.text
}

fn eql_by(out: &mut Out, keys: &[eql::Expr]) {
    if !keys.is_empty() {
        out.push(" by ");
        let indent = out.column();
        out.fill(keys, ", ", indent);
    }
}

fn eql_sequence_term(out: &mut Out, term: &eql::SequenceTerm) {
    out.push(if term.missing { "![" } else { "[" });
    let indent = out.column() + 1;
    eql_event(out, &term.query, indent);
    out.push("]");
    eql_by(out, &term.by);
    if let Some(runs) = &term.runs {
        out.push(&format!(" with runs={}", runs.node));
    }
}

/// `category where condition`, continuation lines at `indent`.
fn eql_event(out: &mut Out, event: &eql::EventQuery, indent: usize) {
    out.push(&format!("{} where ", event.category));
    eql_expr(out, &event.condition, indent);
}

/// True if `operand` needs parentheses inside a chain (`in_and`) or after `not`, mirroring
/// the printer's precedence: `or` < `and` < `not`, and a nested chain of the same operator
/// keeps its parentheses.
fn eql_needs_group(operand: &eql::Expr, in_and: bool) -> bool {
    match operand.kind {
        eql::ExprKind::Or(_) => true,
        eql::ExprKind::And(_) => in_and,
        _ => false,
    }
}

fn eql_expr(out: &mut Out, expr: &eql::Expr, indent: usize) {
    let inline = expr.to_string();
    if out.fits(&inline) {
        out.push(&inline);
        return;
    }
    match &expr.kind {
        eql::ExprKind::And(operands) => eql_chain(out, operands, " and", true, indent),
        eql::ExprKind::Or(operands) => eql_chain(out, operands, " or", false, indent),
        eql::ExprKind::Not(operand) if eql_needs_group(operand, true) => {
            out.push("not (");
            let inner = out.column();
            eql_expr(out, operand, inner);
            out.push(")");
        }
        eql::ExprKind::In { values, .. } if values.len() > 1 => {
            // The printer's own text up to the list, e.g. `process.name not in~ (`.
            let head = &inline[..inline.len() - list_text(values).len() - 1];
            eql_list(out, head, values, indent);
        }
        eql::ExprKind::Match { patterns, .. } if patterns.len() > 1 => {
            let head = &inline[..inline.len() - list_text(patterns).len() - 1];
            eql_list(out, head, patterns, indent);
        }
        _ => out.push(&inline),
    }
}

/// The printed list `a, b, c` of a value list (as `Display` writes it inside parentheses).
fn list_text(values: &[eql::Expr]) -> String {
    values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// `head` (ending in `(`), then the values filling lines at `indent` + 2, then `)`.
fn eql_list(out: &mut Out, head: &str, values: &[eql::Expr], indent: usize) {
    out.push(head);
    out.fill(values, ", ", indent + 2);
    out.push(")");
}

fn eql_chain(out: &mut Out, operands: &[eql::Expr], keyword: &str, in_and: bool, indent: usize) {
    for (index, operand) in operands.iter().enumerate() {
        if index > 0 {
            out.push(keyword);
            out.newline(indent);
        }
        if eql_needs_group(operand, in_and) {
            out.push("(");
            let inner = out.column();
            eql_expr(out, operand, inner);
            out.push(")");
        } else {
            eql_expr(out, operand, indent);
        }
    }
}

/// The canonical layout of a KQL query.
pub(crate) fn kql_query(query: &kql::Query) -> String {
    let mut out = Out { text: String::new() };
    match query.root.kind {
        kql::NodeKind::MatchAll => {}
        _ => kql_node(&mut out, &query.root, 2),
    }
    out.text
}

/// Mirrors the KQL printer's grouping: `or` children of `and`, nested chains of the same
/// operator, and anything but a leaf after `not`.
fn kql_needs_group(child: &kql::Node, parent: &kql::NodeKind) -> bool {
    match parent {
        kql::NodeKind::Or(_) => matches!(child.kind, kql::NodeKind::Or(_)),
        kql::NodeKind::And(_) => matches!(child.kind, kql::NodeKind::Or(_) | kql::NodeKind::And(_)),
        kql::NodeKind::Not(_) => {
            matches!(
                child.kind,
                kql::NodeKind::Or(_) | kql::NodeKind::And(_) | kql::NodeKind::Not(_)
            )
        }
        _ => false,
    }
}

fn kql_node(out: &mut Out, node: &kql::Node, indent: usize) {
    let inline = node.to_string();
    if out.fits(&inline) {
        out.push(&inline);
        return;
    }
    match &node.kind {
        kql::NodeKind::And(children) | kql::NodeKind::Or(children) => {
            let keyword = if matches!(node.kind, kql::NodeKind::And(_)) { " and" } else { " or" };
            for (index, child) in children.iter().enumerate() {
                if index > 0 {
                    out.push(keyword);
                    out.newline(indent);
                }
                kql_child(out, child, &node.kind, indent);
            }
        }
        kql::NodeKind::Not(child) => {
            out.push("not ");
            kql_child(out, child, &node.kind, indent);
        }
        kql::NodeKind::Field { field, values } => match &values.kind {
            kql::ValueExprKind::Or(list)
                if list.iter().all(|v| matches!(v.kind, kql::ValueExprKind::Value(_))) =>
            {
                out.push(&format!("{field}:("));
                out.fill(list, " or ", indent + 2);
                out.push(")");
            }
            _ => out.push(&inline),
        },
        _ => out.push(&inline),
    }
}

fn kql_child(out: &mut Out, child: &kql::Node, parent: &kql::NodeKind, indent: usize) {
    if kql_needs_group(child, parent) {
        out.push("(");
        let inner = out.column();
        kql_node(out, child, inner);
        out.push(")");
    } else {
        kql_node(out, child, indent);
    }
}
