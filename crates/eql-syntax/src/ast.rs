//! The typed EQL syntax tree: plain owned nodes, each carrying the [`Span`] of its source text.
//!
//! The tree keeps what was written, resolved only as far as the grammar itself resolves it:
//! string escapes are decoded, numbers are parsed, backticks are removed from field names, a
//! unary minus on a number literal is folded into the literal (as Elasticsearch's
//! `ExpressionBuilder` does) and chains of the same boolean operator are flattened. Parentheses
//! leave no node; the printer (`Display`, in `print.rs`) puts back those the precedence needs.

use rule_span::{Span, Spanned};

/// A whole EQL statement: an event query, a sequence or a sample, then pipes.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The query before the first `|`.
    pub body: QueryBody,
    /// `| head N`, `| tail N`, in source order.
    pub pipes: Vec<Pipe>,
    /// The whole statement.
    pub span: Span,
}

/// The three query shapes Elasticsearch accepts.
#[derive(Clone, Debug, PartialEq)]
pub enum QueryBody {
    /// `process where ...`
    Event(EventQuery),
    /// `sequence [..] [..]`
    Sequence(Sequence),
    /// `sample by k [..] [..]`
    Sample(Sample),
}

/// `<category> where <condition>`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    /// The event category before `where`.
    pub category: Category,
    /// The boolean condition after `where`.
    pub condition: Expr,
    /// From the category to the end of the condition.
    pub span: Span,
}

/// The event category of an event query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// `any` or a named category.
    pub kind: CategoryKind,
    /// The category token (with quotes if it was quoted).
    pub span: Span,
}

/// Which events an event query looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CategoryKind {
    /// `any`: every event, also those without a category field.
    Any,
    /// `process`, or a quoted category such as `"my-cat"` / `"""6cat"""` (quotes removed).
    Named(String),
}

/// `sequence [by k, ...] [with maxspan=N<unit>] term term+ [until term]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// Join keys shared by every term (`sequence by ...`).
    pub by: Vec<Expr>,
    /// `with maxspan=...`.
    pub maxspan: Option<TimeSpan>,
    /// The ordered terms (at least two).
    pub terms: Vec<SequenceTerm>,
    /// `until [...]`.
    pub until: Option<SequenceTerm>,
    /// The whole sequence, without pipes.
    pub span: Span,
}

/// One bracketed term of a sequence: `[query] [by ...] [with runs=N]`, or `![query]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceTerm {
    /// The event query inside the brackets.
    pub query: EventQuery,
    /// The term's own join keys.
    pub by: Vec<Expr>,
    /// `![...]`: a missing-event term.
    pub missing: bool,
    /// `with runs=N` (1..=100).
    pub runs: Option<Spanned<u32>>,
    /// From the opening bracket to the end of the term's clauses.
    pub span: Span,
}

/// `sample [by k, ...] term+`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Join keys shared by every term.
    pub by: Vec<Expr>,
    /// The unordered terms.
    pub terms: Vec<SampleTerm>,
    /// The whole sample, without pipes.
    pub span: Span,
}

/// One bracketed term of a sample: `[query] [by ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleTerm {
    /// The event query inside the brackets.
    pub query: EventQuery,
    /// The term's own join keys.
    pub by: Vec<Expr>,
    /// From the opening bracket to the end of the term's keys.
    pub span: Span,
}

/// A duration such as `maxspan=30s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSpan {
    /// The number as written.
    pub value: u64,
    /// The unit suffix.
    pub unit: TimeUnit,
    /// The number and its unit.
    pub span: Span,
}

impl TimeSpan {
    /// The duration in nanoseconds (cannot overflow: `u64::MAX` days fits in a `u128`).
    pub fn as_nanos(&self) -> u128 {
        u128::from(self.value) * self.unit.nanos()
    }

    /// The duration in milliseconds, rounded down.
    pub fn as_millis(&self) -> u128 {
        self.as_nanos() / 1_000_000
    }
}

/// A time unit suffix of a [`TimeSpan`] (Elasticsearch `TimeValue` units).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `nanos`
    Nanos,
    /// `micros`
    Micros,
    /// `ms`
    Millis,
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
}

impl TimeUnit {
    /// Every unit, in increasing size.
    pub const ALL: [TimeUnit; 7] = [
        TimeUnit::Nanos,
        TimeUnit::Micros,
        TimeUnit::Millis,
        TimeUnit::Seconds,
        TimeUnit::Minutes,
        TimeUnit::Hours,
        TimeUnit::Days,
    ];

    /// The suffix as written in a query.
    pub const fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Nanos => "nanos",
            TimeUnit::Micros => "micros",
            TimeUnit::Millis => "ms",
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "m",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
        }
    }

    /// The unit a suffix names, if any (case-sensitive, as in Elasticsearch).
    pub fn from_suffix(suffix: &str) -> Option<TimeUnit> {
        TimeUnit::ALL.into_iter().find(|unit| unit.suffix() == suffix)
    }

    /// Nanoseconds in one unit.
    pub const fn nanos(self) -> u128 {
        match self {
            TimeUnit::Nanos => 1,
            TimeUnit::Micros => 1_000,
            TimeUnit::Millis => 1_000_000,
            TimeUnit::Seconds => 1_000_000_000,
            TimeUnit::Minutes => 60_000_000_000,
            TimeUnit::Hours => 3_600_000_000_000,
            TimeUnit::Days => 86_400_000_000_000,
        }
    }
}

/// A result pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pipe {
    /// `head` or `tail`.
    pub kind: PipeKind,
    /// The number of results kept.
    pub count: u64,
    /// From `|` to the end of the number.
    pub span: Span,
}

/// The pipes Elasticsearch supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PipeKind {
    /// `| head N`: the first N results.
    Head,
    /// `| tail N`: the last N results.
    Tail,
}

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// The expression's source text (without surrounding parentheses).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`, `true`, `42`, `1.5`, `"text"`.
    Literal(Literal),
    /// `process.name`, `?field`, `` `my-field` ``.
    Field(FieldRef),
    /// `not x`.
    Not(Box<Expr>),
    /// `a and b and c` (two or more operands).
    And(Vec<Expr>),
    /// `a or b or c` (two or more operands).
    Or(Vec<Expr>),
    /// `a == b`, `a < b`, ... (never chained).
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `a + b`, `a % b`, ...
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `-x` where `x` is not a number literal (those are folded into the literal).
    Neg(Box<Expr>),
    /// `x in (a, b)`, `x in~ (..)`, `x not in (..)`, `x not in~ (..)`.
    In {
        /// The value tested.
        expr: Box<Expr>,
        /// The list (at least one element).
        values: Vec<Expr>,
        /// `not in`.
        negated: bool,
        /// `in~`.
        case_insensitive: bool,
    },
    /// `x : "a*"`, `x like~ ("a", "b")`, `x regex "a.*"`.
    Match {
        /// The value tested.
        expr: Box<Expr>,
        /// Which operator.
        op: MatchOp,
        /// `like~` / `regex~`; always true for `:`.
        case_insensitive: bool,
        /// The patterns (each an [`ExprKind::Literal`]); matching any one is a match.
        patterns: Vec<Expr>,
    },
    /// `startsWith~(process.name, "x")`.
    Call {
        /// The function name as written (resolved case-insensitively later).
        name: FunctionName,
        /// `fn~(...)`.
        case_insensitive: bool,
        /// The arguments.
        args: Vec<Expr>,
    },
}

/// A constant value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer that fits an `i64` (negative after folding a unary minus).
    Int(i64),
    /// A decimal, or an integer too large for `i64` (as Elasticsearch does).
    Float(f64),
    /// A string, escapes decoded.
    String(String),
}

/// A reference to an event field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    /// The dotted path, backticks removed (`` `a-b`.c `` is `a-b.c`).
    pub name: String,
    /// `?field`: an unmapped field reads as `null` instead of being an error.
    pub optional: bool,
    /// The field as written, with `?` and backticks.
    pub span: Span,
}

/// The name of a called function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionName {
    /// The name as written, without `~`.
    pub name: String,
    /// The name (and its `~`, if any).
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
}

impl CompareOp {
    /// The operator as written.
    pub const fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::NotEq => "!=",
            CompareOp::Lt => "<",
            CompareOp::LtEq => "<=",
            CompareOp::Gt => ">",
            CompareOp::GtEq => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl ArithOp {
    /// The operator as written.
    pub const fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// Pattern-matching operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `:` (case-insensitive equality, or wildcard when the pattern has `*`/`?`).
    Colon,
    /// `like` / `like~` (wildcards `*` and `?`).
    Like,
    /// `regex` / `regex~` (Lucene regular expressions, anchored).
    Regex,
}
