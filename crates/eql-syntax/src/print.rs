//! `Display` for every AST node: prints valid EQL that parses back to the same tree.
//!
//! Parentheses are added exactly where precedence needs them (ES `EqlBase.g4`, loosest to
//! tightest: `or`, `and`, `not`, comparison, `+ -`, `* / %`, unary minus, predicate
//! `in : like regex`, primary).

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{
    ArithOp, Category, CategoryKind, EventQuery, Expr, ExprKind, FieldRef, Literal, MatchOp, Pipe,
    PipeKind, Query, QueryBody, Sample, SampleTerm, Sequence, SequenceTerm, TimeSpan,
};
use crate::parser::strings::write_quoted;

/// Words that cannot be bare identifiers (ES `EqlBase.g4` keywords).
pub(crate) const KEYWORDS: [&str; 20] = [
    "and", "any", "by", "false", "in", "join", "like", "maxspan", "not", "null", "of", "or",
    "regex", "runs", "sample", "sequence", "true", "until", "where", "with",
];

/// Binding strength of an expression when printed; higher binds tighter.
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Or(_) => 1,
        ExprKind::And(_) => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Compare { .. } => 4,
        ExprKind::Arith { op: ArithOp::Add | ArithOp::Sub, .. } => 5,
        ExprKind::Arith { .. } => 6,
        ExprKind::Neg(_) => 7,
        ExprKind::Literal(Literal::Int(n)) if *n < 0 => 7,
        ExprKind::Literal(Literal::Float(x)) if x.is_sign_negative() => 7,
        ExprKind::In { .. } | ExprKind::Match { .. } => 8,
        ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Call { .. } => 9,
    }
}

/// Writes `expr`, in parentheses if it binds looser than `min`.
fn write_at(f: &mut Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if precedence(expr) < min { write!(f, "({expr})") } else { write!(f, "{expr}") }
}

fn write_list<T: Display>(f: &mut Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn write_by(f: &mut Formatter<'_>, keys: &[Expr]) -> fmt::Result {
    if keys.is_empty() {
        return Ok(());
    }
    f.write_str(" by ")?;
    write_list(f, keys, ", ")
}

/// True if `word` can be printed without backticks or quotes.
fn is_bare_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '@')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&word)
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.body {
            QueryBody::Event(query) => write!(f, "{query}")?,
            QueryBody::Sequence(sequence) => write!(f, "{sequence}")?,
            QueryBody::Sample(sample) => write!(f, "{sample}")?,
        }
        for pipe in &self.pipes {
            write!(f, " {pipe}")?;
        }
        Ok(())
    }
}

impl Display for Pipe {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let name = match self.kind {
            PipeKind::Head => "head",
            PipeKind::Tail => "tail",
        };
        write!(f, "| {name} {}", self.count)
    }
}

impl Display for EventQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} where {}", self.category, self.condition)
    }
}

impl Display for Category {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CategoryKind::Any => f.write_str("any"),
            CategoryKind::Named(name) if is_bare_identifier(name) => f.write_str(name),
            CategoryKind::Named(name) => write_quoted(f, name),
        }
    }
}

impl Display for Sequence {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sequence")?;
        write_by(f, &self.by)?;
        if let Some(maxspan) = &self.maxspan {
            write!(f, " with maxspan={maxspan}")?;
        }
        for term in &self.terms {
            write!(f, " {term}")?;
        }
        if let Some(until) = &self.until {
            write!(f, " until {until}")?;
        }
        Ok(())
    }
}

impl Display for SequenceTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let open = if self.missing { "![" } else { "[" };
        write!(f, "{open}{}]", self.query)?;
        write_by(f, &self.by)?;
        if let Some(runs) = &self.runs {
            write!(f, " with runs={}", runs.node)?;
        }
        Ok(())
    }
}

impl Display for Sample {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sample")?;
        write_by(f, &self.by)?;
        for term in &self.terms {
            write!(f, " {term}")?;
        }
        Ok(())
    }
}

impl Display for SampleTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.query)?;
        write_by(f, &self.by)
    }
}

impl Display for TimeSpan {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.value, self.unit.suffix())
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(literal) => write!(f, "{literal}"),
            ExprKind::Field(field) => write!(f, "{field}"),
            ExprKind::Not(operand) => {
                f.write_str("not ")?;
                write_at(f, operand, 3)
            }
            ExprKind::And(operands) => write_chain(f, operands, " and ", 3),
            ExprKind::Or(operands) => write_chain(f, operands, " or ", 2),
            ExprKind::Compare { op, lhs, rhs } => {
                write_at(f, lhs, 5)?;
                write!(f, " {} ", op.symbol())?;
                write_at(f, rhs, 5)
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let level = if matches!(op, ArithOp::Add | ArithOp::Sub) { 5 } else { 6 };
                write_at(f, lhs, level)?;
                write!(f, " {} ", op.symbol())?;
                write_at(f, rhs, level + 1)
            }
            ExprKind::Neg(operand) => {
                f.write_char('-')?;
                write_at(f, operand, 7)
            }
            ExprKind::In { expr, values, negated, case_insensitive } => {
                write_at(f, expr, 9)?;
                let not = if *negated { " not" } else { "" };
                let tilde = if *case_insensitive { "~" } else { "" };
                write!(f, "{not} in{tilde} (")?;
                write_list(f, values, ", ")?;
                f.write_char(')')
            }
            ExprKind::Match { expr, op, case_insensitive, patterns } => {
                write_at(f, expr, 9)?;
                let op = match (op, case_insensitive) {
                    (MatchOp::Colon, _) => " :",
                    (MatchOp::Like, false) => " like",
                    (MatchOp::Like, true) => " like~",
                    (MatchOp::Regex, false) => " regex",
                    (MatchOp::Regex, true) => " regex~",
                };
                f.write_str(op)?;
                if let [single] = patterns.as_slice() {
                    return write!(f, " {single}");
                }
                f.write_str(" (")?;
                write_list(f, patterns, ", ")?;
                f.write_char(')')
            }
            ExprKind::Call { name, case_insensitive, args } => {
                f.write_str(&name.name)?;
                if *case_insensitive {
                    f.write_char('~')?;
                }
                f.write_char('(')?;
                write_list(f, args, ", ")?;
                f.write_char(')')
            }
        }
    }
}

fn write_chain(f: &mut Formatter<'_>, operands: &[Expr], separator: &str, min: u8) -> fmt::Result {
    for (index, operand) in operands.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        // A nested chain of the same operator keeps its parentheses so it parses back as one node.
        write_at(f, operand, min)?;
    }
    Ok(())
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(value) => write!(f, "{value}"),
            Literal::Int(value) => write!(f, "{value}"),
            // Debug always shows a `.` or an exponent, so the number reads back as a decimal.
            Literal::Float(value) if value.is_finite() => write!(f, "{value:?}"),
            // `1e999` overflows to infinity when read back, like the literal that produced it.
            Literal::Float(value) if value.is_sign_negative() => f.write_str("-1e999"),
            Literal::Float(_) => f.write_str("1e999"),
            Literal::String(value) => write_quoted(f, value),
        }
    }
}

impl Display for FieldRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.optional {
            f.write_char('?')?;
        }
        for (index, segment) in self.name.split('.').enumerate() {
            if index > 0 {
                f.write_char('.')?;
            }
            if is_bare_identifier(segment) {
                f.write_str(segment)?;
            } else {
                write!(f, "`{}`", segment.replace('`', "``"))?;
            }
        }
        Ok(())
    }
}
