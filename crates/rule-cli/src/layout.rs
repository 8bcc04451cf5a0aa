//! The canonical layout of a query for `warden fmt`: the syntax crates' printers, with line
//! breaks where a line would pass [`WIDTH`].
//!
//! Only three places break: a boolean chain puts one clause per line (the first on the
//! current line, the others indented, each line ending with its `and`/`or`, as the
//! detection-rules corpus writes them); a long value list (`in (...)`, `: (...)`,
//! `f:(a or b ...)`) fills lines; a sequence or sample puts each bracketed term on its own
//! line. Everything else is printed by the AST's `Display`, so the layout depends only on the
//! tree and on where the comments are: formatting twice gives the same text.
//!
//! EQL comments go back between the same clauses as in the query (see `layout/out.rs`); a
//! clause that holds one is broken even if it would fit, and a comment inside a clause
//! printed whole (a comparison, a call, `with maxspan`) makes the layout fail.

mod out;

use eql_syntax::Comment;
use eql_syntax::ast as eql;
use kql_syntax::ast as kql;
use rule_span::Span;

use self::out::Out;
pub(crate) use self::out::Unplaced;

/// Lines are broken when they would pass this many characters.
pub(crate) const WIDTH: usize = 100;

/// Writes `items` (printed, with their spans) separated by `separator`, starting a new line at
/// `indent` before an item that would pass the width or that a comment leads.
fn fill(
    out: &mut Out<'_>,
    items: &[(String, Span)],
    separator: &str,
    indent: usize,
) -> Result<(), Unplaced> {
    for (index, (text, span)) in items.iter().enumerate() {
        if index == 0 {
            out.place(span.start as usize, indent);
        } else {
            let trimmed = separator.trim_end();
            let space = &separator[trimmed.len()..];
            out.push(trimmed);
            if out.comment_before(span.start) {
                out.break_to(span.start as usize, indent);
            } else if out.fits(&format!("{space}{text}")) {
                out.push(space);
            } else {
                out.newline(indent);
            }
        }
        out.inline(text, span.end)?;
    }
    Ok(())
}

/// EQL expressions printed, with their spans, for [`fill`].
fn eql_items(exprs: &[eql::Expr]) -> Vec<(String, Span)> {
    exprs.iter().map(|e| (e.to_string(), e.span)).collect()
}

/// The canonical layout of the EQL query `source`, parsed as `query` with `comments`; fails
/// if a comment is inside a clause the layout writes whole.
pub(crate) fn eql_query(
    source: &str,
    query: &eql::Query,
    comments: &[Comment],
) -> Result<String, Unplaced> {
    let mut out = Out::new(source, comments);
    out.place(query.span.start as usize, 0);
    match &query.body {
        eql::QueryBody::Event(event) => eql_event(&mut out, event, 2)?,
        eql::QueryBody::Sequence(sequence) => {
            out.push("sequence");
            eql_by(&mut out, &sequence.by)?;
            if let Some(maxspan) = &sequence.maxspan {
                out.inline(&format!(" with maxspan={maxspan}"), maxspan.span.end)?;
            }
            for term in &sequence.terms {
                out.break_to(term.span.start as usize, 2);
                eql_term(&mut out, term.missing, &term.query, &term.by)?;
                if let Some(runs) = &term.runs {
                    out.inline(&format!(" with runs={}", runs.node), runs.span.end)?;
                }
            }
            if let Some(until) = &sequence.until {
                out.break_to(until.span.start as usize, 0);
                out.push("until ");
                eql_term(&mut out, until.missing, &until.query, &until.by)?;
                if let Some(runs) = &until.runs {
                    out.inline(&format!(" with runs={}", runs.node), runs.span.end)?;
                }
            }
        }
        eql::QueryBody::Sample(sample) => {
            out.push("sample");
            eql_by(&mut out, &sample.by)?;
            for term in &sample.terms {
                out.break_to(term.span.start as usize, 2);
                eql_term(&mut out, false, &term.query, &term.by)?;
            }
        }
    }
    let multi_line = out.multi_line();
    for pipe in &query.pipes {
        if multi_line || out.comment_before(pipe.span.start) {
            out.break_to(pipe.span.start as usize, 0);
        } else {
            out.push(" ");
        }
        out.inline(&pipe.to_string(), pipe.span.end)?;
    }
    Ok(out.finish())
}

fn eql_by(out: &mut Out<'_>, keys: &[eql::Expr]) -> Result<(), Unplaced> {
    if !keys.is_empty() {
        out.push(" by ");
        let indent = out.column();
        fill(out, &eql_items(keys), ", ", indent)?;
    }
    Ok(())
}

/// A bracketed sequence or sample term and its join keys: `[query] by keys`.
fn eql_term(
    out: &mut Out<'_>,
    missing: bool,
    query: &eql::EventQuery,
    by: &[eql::Expr],
) -> Result<(), Unplaced> {
    let bracket = out.column();
    out.push(if missing { "![" } else { "[" });
    let indent = out.column() + 1;
    eql_event(out, query, indent)?;
    let close = out.token_after(query.span.end);
    out.place_before_close(close, indent, bracket);
    out.push("]");
    eql_by(out, by)
}

/// `category where condition`, continuation lines at `indent`.
fn eql_event(out: &mut Out<'_>, event: &eql::EventQuery, indent: usize) -> Result<(), Unplaced> {
    out.place(event.span.start as usize, indent);
    out.inline(&format!("{} where ", event.category), event.category.span.end)?;
    eql_expr(out, &event.condition, indent)
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

/// An expression: whole if it fits and holds no comment, else broken where it can be.
fn eql_expr(out: &mut Out<'_>, expr: &eql::Expr, indent: usize) -> Result<(), Unplaced> {
    out.place(expr.span.start as usize, indent);
    let inline = expr.to_string();
    let commented = out.comment_before(expr.span.end);
    if !commented && out.fits(&inline) {
        out.push(&inline);
        return Ok(());
    }
    match &expr.kind {
        eql::ExprKind::And(operands) => eql_chain(out, operands, " and", true, indent),
        eql::ExprKind::Or(operands) => eql_chain(out, operands, " or", false, indent),
        eql::ExprKind::Not(operand) if eql_needs_group(operand, true) => {
            out.push("not ");
            eql_group(out, operand)
        }
        // The printer writes `not ` and the operand as it is.
        eql::ExprKind::Not(operand) => {
            out.push("not ");
            eql_expr(out, operand, indent)
        }
        eql::ExprKind::In { values, .. } if values.len() > 1 || commented => {
            // The printer's own text up to the list, e.g. `process.name not in~ (`.
            let head = &inline[..inline.len() - list_text(values).len() - 1];
            eql_list(out, head, values, indent)
        }
        eql::ExprKind::Match { patterns, .. } if patterns.len() > 1 => {
            let head = &inline[..inline.len() - list_text(patterns).len() - 1];
            eql_list(out, head, patterns, indent)
        }
        _ => out.inline(&inline, expr.span.end),
    }
}

/// The printed list `a, b, c` of a value list (as `Display` writes it inside parentheses).
fn list_text(values: &[eql::Expr]) -> String {
    values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// `head` (ending in `(`), then the values filling lines at `indent` + 2, then `)`.
fn eql_list(
    out: &mut Out<'_>,
    head: &str,
    values: &[eql::Expr],
    indent: usize,
) -> Result<(), Unplaced> {
    out.push(head);
    fill(out, &eql_items(values), ", ", indent + 2)?;
    if let Some(last) = values.last() {
        let close = out.token_after(last.span.end);
        out.place_before_close(close, indent + 2, indent);
    }
    out.push(")");
    Ok(())
}

/// `(operand)`, continuation lines just inside the parenthesis.
fn eql_group(out: &mut Out<'_>, operand: &eql::Expr) -> Result<(), Unplaced> {
    let open = out.column();
    out.push("(");
    let inner = out.column();
    eql_expr(out, operand, inner)?;
    let close = out.token_after(operand.span.end);
    out.place_before_close(close, inner, open);
    out.push(")");
    Ok(())
}

fn eql_chain(
    out: &mut Out<'_>,
    operands: &[eql::Expr],
    keyword: &str,
    in_and: bool,
    indent: usize,
) -> Result<(), Unplaced> {
    for (index, operand) in operands.iter().enumerate() {
        let group = eql_needs_group(operand, in_and);
        if index > 0 {
            out.push(keyword);
            // Comments after the operand's `(` stay inside it.
            let start = operand.span.start;
            let at = if group { out.open_paren_before(start) } else { None };
            out.break_to(at.unwrap_or(start as usize), indent);
        }
        if group {
            eql_group(out, operand)?;
        } else {
            eql_expr(out, operand, indent)?;
        }
    }
    Ok(())
}

/// The canonical layout of a KQL query.
pub(crate) fn kql_query(query: &kql::Query) -> Result<String, Unplaced> {
    let mut out = Out::new("", &[]);
    match query.root.kind {
        kql::NodeKind::MatchAll => {}
        _ => kql_node(&mut out, &query.root, 2)?,
    }
    Ok(out.finish())
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

fn kql_node(out: &mut Out<'_>, node: &kql::Node, indent: usize) -> Result<(), Unplaced> {
    let inline = node.to_string();
    if out.fits(&inline) {
        out.push(&inline);
        return Ok(());
    }
    match &node.kind {
        kql::NodeKind::And(children) | kql::NodeKind::Or(children) => {
            let keyword = if matches!(node.kind, kql::NodeKind::And(_)) { " and" } else { " or" };
            for (index, child) in children.iter().enumerate() {
                if index > 0 {
                    out.push(keyword);
                    out.newline(indent);
                }
                kql_child(out, child, &node.kind, indent)?;
            }
            Ok(())
        }
        kql::NodeKind::Not(child) => {
            out.push("not ");
            kql_child(out, child, &node.kind, indent)
        }
        kql::NodeKind::Field { field, values } => match &values.kind {
            kql::ValueExprKind::Or(list)
                if list.iter().all(|v| matches!(v.kind, kql::ValueExprKind::Value(_))) =>
            {
                out.push(&format!("{field}:("));
                let items: Vec<_> = list.iter().map(|v| (v.to_string(), v.span)).collect();
                fill(out, &items, " or ", indent + 2)?;
                out.push(")");
                Ok(())
            }
            _ => out.inline(&inline, node.span.end),
        },
        _ => out.inline(&inline, node.span.end),
    }
}

fn kql_child(
    out: &mut Out<'_>,
    child: &kql::Node,
    parent: &kql::NodeKind,
    indent: usize,
) -> Result<(), Unplaced> {
    if kql_needs_group(child, parent) {
        out.push("(");
        let inner = out.column();
        kql_node(out, child, inner)?;
        out.push(")");
        Ok(())
    } else {
        kql_node(out, child, indent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout of `query`, checked to keep its tree and comments and to be a fixed point.
    fn eql(query: &str) -> Result<String, Unplaced> {
        let (tree, comments) = eql_syntax::parse_with_comments(query).unwrap();
        let laid_out = eql_query(query, &tree, &comments)?;
        let (again, again_comments) = eql_syntax::parse_with_comments(&laid_out).unwrap();
        assert!(again.eq_ignoring_spans(&tree), "{laid_out}");
        let texts = |c: &[Comment]| c.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&again_comments), texts(&comments));
        assert_eq!(eql_query(&laid_out, &again, &again_comments)?, laid_out, "not a fixed point");
        Ok(laid_out)
    }

    #[test]
    fn comments_keep_their_place_between_clauses() {
        let queries = [
            // Leading the query, own-line before a clause, trailing a clause line.
            "// header\nprocess where a == 1 and // first\n  /* own line */\n  b == 2 and c == 3",
            // A short query stays on one line around a trailing block comment.
            "process where /* why */ a == 1",
            // In a value list: leading, trailing after a comma, before the closing parenthesis.
            "process where a in (\n  /* first */ \"x\", // after x\n  \"y\"\n  // the end\n)",
            // Inside a group: kept after its `(`; before its `)`.
            "process where a == 1 and (\n  // inner\n  b == 2 or c == 3\n  /* closing */\n)",
            "process where not /* neg */ a : \"x\"",
            // Sequences: between terms, before `]`, before a pipe, at the end.
            "sequence by host.id // key\n  /* term one */\n  [process where a == 1\n    // done\n  ]\n  \
             [file where b == 2] | head 5 // five",
            // Between join keys.
            "sequence by a, // first key\n b [x where true] [y where true]",
        ];
        let shown: Vec<String> =
            queries.iter().map(|q| format!("{q}\n---\n{}\n", eql(q).unwrap())).collect();
        insta::assert_snapshot!(shown.join("\n=====\n"));
    }

    #[test]
    fn a_comment_inside_a_comparison_or_call_is_unplaced() {
        for (query, comment) in [
            ("process where a /* x */ == 1", 16..23),
            ("process where length(/* x */ a) == 1 and b", 21..28),
            ("sequence with /* m */ maxspan=5m [a where true] [b where true]", 14..21),
        ] {
            let Err(Unplaced(span)) = eql(query) else { panic!("{query} was laid out") };
            assert_eq!(span.range(), comment, "{query}");
        }
    }

    #[test]
    fn a_comment_breaks_a_clause_that_would_fit() {
        let laid_out = eql("process where a == 1 and /* b */ b == 2").unwrap();
        assert_eq!(laid_out, "process where a == 1 and /* b */\n  b == 2");
    }

    /// A comment at every gap between tokens of these queries is either laid out (keeping
    /// the tree, the comments and a fixed point, as `eql` checks) or reported as unplaced.
    #[test]
    fn a_comment_anywhere_is_kept_or_reported() {
        let queries = [
            "sequence by host.id with maxspan=1m [process where a == 1 and (b : (\"x\", \"y\") \
             or not c in (1, 2))] by user.name [file where length(d) > 2] by user.id until [any where \
             e] by u | tail 3",
            "sample by k [process where a or b and c] [network where ?f != null]",
        ];
        let (mut placed, mut unplaced) = (0, 0);
        for query in queries {
            assert!(eql_syntax::parse(query).is_ok(), "{query}");
            for (at, _) in query.match_indices(' ') {
                for comment in ["/*c*/", "// c\n"] {
                    let text = format!("{} {comment}{}", &query[..at], &query[at..]);
                    let Ok((_, comments)) = eql_syntax::parse_with_comments(&text) else {
                        continue;
                    };
                    if comments.len() != 1 {
                        continue; // inside a string
                    }
                    match eql(&text) {
                        Ok(_) => placed += 1,
                        Err(Unplaced(span)) => {
                            assert_eq!(&text[span.range()], comment.trim_end());
                            unplaced += 1;
                        }
                    }
                }
            }
        }
        assert!(placed > 3 * unplaced, "{placed} placed, {unplaced} unplaced");
    }
}
