//! Script values and the operations on them: arithmetic, comparison and the EQL functions of
//! eql.md §1.4, all three-valued (a null operand gives null unless the function says otherwise).
//!
//! A field pushed into a script contributes its **first** value (missing ⇒ null). ES leaves
//! multi-valued fields in scripts unspecified (eql.md §1.6, elastic/elasticsearch#54970); the
//! first value is what ES's script doc-value access returned for single-valued reads, and it
//! keeps `length(process.args)`-style scripts meaningful. Objects are null.

use crate::cidr::CidrBlock;
use crate::instr::{ArithOp, CmpOp, Func, LogicOp};
use crate::program::Constant;
use crate::text::{Scalar, fold, parse_number, write_float};
use std::borrow::Cow;
use std::fmt;

/// A value on the script stack.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptValue<'a> {
    /// Null (a missing field, or a null result).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (Java `long`).
    Int(i64),
    /// A float (Java `double`).
    Float(f64),
    /// A string, borrowed from the event or the program when possible.
    Str(Cow<'a, str>),
}

impl<'a> ScriptValue<'a> {
    /// The script value of a JSON scalar.
    pub fn from_scalar(scalar: Scalar<'a>) -> Self {
        match scalar {
            Scalar::Str(s) => ScriptValue::Str(Cow::Borrowed(s)),
            Scalar::Int(i) => ScriptValue::Int(i),
            #[allow(clippy::cast_precision_loss)]
            Scalar::UInt(u) => {
                i64::try_from(u).map_or(ScriptValue::Float(u as f64), ScriptValue::Int)
            }
            Scalar::Float(f) => ScriptValue::Float(f),
            Scalar::Bool(b) => ScriptValue::Bool(b),
        }
    }

    /// The script value of a program constant.
    pub fn from_constant(constant: &'a Constant) -> Self {
        match constant {
            Constant::Null => ScriptValue::Null,
            Constant::Bool(b) => ScriptValue::Bool(*b),
            Constant::Int(i) => ScriptValue::Int(*i),
            Constant::Float(f) => ScriptValue::Float(*f),
            Constant::Str(s) => ScriptValue::Str(Cow::Borrowed(s)),
        }
    }

    /// The scalar view (`None` for null).
    pub fn as_scalar(&self) -> Option<Scalar<'_>> {
        match self {
            ScriptValue::Null => None,
            ScriptValue::Bool(b) => Some(Scalar::Bool(*b)),
            ScriptValue::Int(i) => Some(Scalar::Int(*i)),
            ScriptValue::Float(f) => Some(Scalar::Float(*f)),
            ScriptValue::Str(s) => Some(Scalar::Str(s)),
        }
    }

    /// The same value owning its text (to keep it past the event or program it borrows).
    pub fn into_owned(self) -> ScriptValue<'static> {
        match self {
            ScriptValue::Null => ScriptValue::Null,
            ScriptValue::Bool(b) => ScriptValue::Bool(b),
            ScriptValue::Int(i) => ScriptValue::Int(i),
            ScriptValue::Float(f) => ScriptValue::Float(f),
            ScriptValue::Str(s) => ScriptValue::Str(Cow::Owned(s.into_owned())),
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, ScriptValue::Null)
    }

    /// `string(v)`: the text of a value (`None` for null).
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            ScriptValue::Null => None,
            ScriptValue::Str(s) => Some(Cow::Borrowed(s)),
            ScriptValue::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            ScriptValue::Int(i) => Some(Cow::Owned(i.to_string())),
            ScriptValue::Float(f) => {
                let mut buf = String::new();
                write_float(&mut buf, *f);
                Some(Cow::Owned(buf))
            }
        }
    }

    fn number(&self) -> Option<Num> {
        match self {
            ScriptValue::Int(i) => Some(Num::Int(*i)),
            ScriptValue::Float(f) => Some(Num::Float(*f)),
            ScriptValue::Str(s) => match s.trim().parse::<i64>() {
                Ok(i) => Some(Num::Int(i)),
                Err(_) => parse_number(s).map(Num::Float),
            },
            ScriptValue::Null | ScriptValue::Bool(_) => None,
        }
    }

    fn bool(&self) -> Option<bool> {
        match self {
            ScriptValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Literal syntax: `null`, `true`, `42`, `2.5` (floats keep a `.0`), strings quoted and
/// escaped as JSON strings.
impl fmt::Display for ScriptValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptValue::Null => f.write_str("null"),
            ScriptValue::Bool(b) => write!(f, "{b}"),
            ScriptValue::Int(i) => write!(f, "{i}"),
            ScriptValue::Float(x) => write!(f, "{x:?}"),
            ScriptValue::Str(s) => write!(f, "{}", serde_json::Value::String(s.to_string())),
        }
    }
}

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    #[allow(clippy::cast_precision_loss)]
    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Applies an arithmetic operator (Java `long`/`double` semantics; overflow or division by
/// zero give null, where ES would fail the query).
pub(crate) fn arith<'a>(op: ArithOp, a: &ScriptValue<'a>, b: &ScriptValue<'a>) -> ScriptValue<'a> {
    let (Some(x), Some(y)) = (a.number(), b.number()) else { return ScriptValue::Null };
    if let (Num::Int(x), Num::Int(y)) = (x, y) {
        let result = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => x.checked_div(y),
            ArithOp::Rem => x.checked_rem(y),
            ArithOp::Neg => x.checked_neg(),
        };
        return result.map_or(ScriptValue::Null, ScriptValue::Int);
    }
    let (x, y) = (x.float(), y.float());
    let result = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div | ArithOp::Rem if y == 0.0 => return ScriptValue::Null,
        ArithOp::Div => x / y,
        ArithOp::Rem => x % y,
        ArithOp::Neg => -x,
    };
    ScriptValue::Float(result)
}

/// Compares two values: numbers numerically, strings by code point order (case-sensitive),
/// booleans with each other; null or mismatched types give null.
pub(crate) fn compare<'a>(op: CmpOp, a: &ScriptValue<'a>, b: &ScriptValue<'a>) -> ScriptValue<'a> {
    let ordering = match (a, b) {
        (ScriptValue::Str(x), ScriptValue::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (ScriptValue::Bool(x), ScriptValue::Bool(y)) => Some(x.cmp(y)),
        (ScriptValue::Null | ScriptValue::Bool(_), _)
        | (_, ScriptValue::Null | ScriptValue::Bool(_)) => None,
        _ => match (a.number(), b.number()) {
            (Some(Num::Int(x)), Some(Num::Int(y))) => Some(x.cmp(&y)),
            (Some(x), Some(y)) => x.float().partial_cmp(&y.float()),
            _ => None,
        },
    };
    ordering.map_or(ScriptValue::Null, |o| ScriptValue::Bool(op.holds(o)))
}

/// Applies a three-valued boolean operator (`b` is ignored for `not`).
pub(crate) fn logic<'a>(op: LogicOp, a: &ScriptValue<'a>, b: &ScriptValue<'a>) -> ScriptValue<'a> {
    let result = match (op, a.bool(), b.bool()) {
        (LogicOp::Not, x, _) => x.map(|x| !x),
        (LogicOp::And, Some(false), _) | (LogicOp::And, _, Some(false)) => Some(false),
        (LogicOp::Or, Some(true), _) | (LogicOp::Or, _, Some(true)) => Some(true),
        (LogicOp::And | LogicOp::Or, Some(x), Some(_)) => Some(x),
        (LogicOp::And | LogicOp::Or, _, _) => None,
    };
    result.map_or(ScriptValue::Null, ScriptValue::Bool)
}

/// Calls `func` on `args` (already checked for arity by the compiler; a wrong count gives
/// null). `ci` selects the `~` variant.
pub(crate) fn call<'a>(func: Func, args: &[ScriptValue<'a>], ci: bool) -> ScriptValue<'a> {
    let arg = |i: usize| args.get(i).unwrap_or(&ScriptValue::Null);
    match func {
        Func::Add => arith(ArithOp::Add, arg(0), arg(1)),
        Func::Subtract => arith(ArithOp::Sub, arg(0), arg(1)),
        Func::Multiply => arith(ArithOp::Mul, arg(0), arg(1)),
        Func::Divide => arith(ArithOp::Div, arg(0), arg(1)),
        Func::Modulo => arith(ArithOp::Rem, arg(0), arg(1)),
        Func::Concat => concat(args),
        Func::String => arg(0)
            .text()
            .map_or(ScriptValue::Null, |t| ScriptValue::Str(Cow::Owned(t.into_owned()))),
        Func::Length => text1(args, |s| {
            ScriptValue::Int(i64::try_from(s.encode_utf16().count()).unwrap_or(i64::MAX))
        }),
        Func::StartsWith => text2(args, ci, |s, p| ScriptValue::Bool(s.starts_with(p))),
        Func::EndsWith => text2(args, ci, |s, p| ScriptValue::Bool(s.ends_with(p))),
        // Empty source or substring never contains (ES StringContainsFunctionProcessor).
        Func::StringContains => text2(args, ci, |s, p| {
            ScriptValue::Bool(!s.is_empty() && !p.is_empty() && s.contains(p))
        }),
        Func::IndexOf => index_of(args, ci),
        Func::Between => between(args, ci),
        Func::Substring => substring(args),
        Func::Number => number(args),
        Func::CidrMatch => cidr_match(args),
    }
}

fn text1<'a>(args: &[ScriptValue<'a>], f: impl FnOnce(&str) -> ScriptValue<'a>) -> ScriptValue<'a> {
    match args.first().and_then(ScriptValue::text) {
        Some(s) => f(&s),
        None => ScriptValue::Null,
    }
}

/// Two string arguments, folded when `ci`.
fn text2<'a>(
    args: &[ScriptValue<'a>],
    ci: bool,
    f: impl FnOnce(&str, &str) -> ScriptValue<'a>,
) -> ScriptValue<'a> {
    let (Some(a), Some(b)) =
        (args.first().and_then(ScriptValue::text), args.get(1).and_then(ScriptValue::text))
    else {
        return ScriptValue::Null;
    };
    if ci { f(&fold(&a), &fold(&b)) } else { f(&a, &b) }
}

fn concat<'a>(args: &[ScriptValue<'a>]) -> ScriptValue<'a> {
    let mut out = String::new();
    for arg in args {
        match arg.text() {
            Some(text) => out.push_str(&text),
            None => return ScriptValue::Null,
        }
    }
    ScriptValue::Str(Cow::Owned(out))
}

/// Char index of `needle` in `hay` at or after char `from` (folded when `ci`).
fn find_chars(hay: &str, needle: &str, from: usize, ci: bool) -> Option<usize> {
    let (hay, needle) = if ci {
        (Cow::Owned(fold(hay)), Cow::Owned(fold(needle)))
    } else {
        (hay.into(), needle.into())
    };
    let start = hay.char_indices().nth(from).map_or(hay.len(), |(at, _)| at);
    if from > hay.chars().count() {
        return None;
    }
    hay[start..].find(needle.as_ref()).map(|at| from + hay[start..start + at].chars().count())
}

fn char_slice(s: &str, from: usize, to: usize) -> &str {
    let byte = |n: usize| s.char_indices().nth(n).map_or(s.len(), |(at, _)| at);
    let (a, b) = (byte(from), byte(to));
    if a <= b { &s[a..b] } else { "" }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `indexOf(src, sub[, start])`: first char index ≥ start, else null; a null or negative
/// start counts as 0 (ES `IndexOfFunctionProcessor`); an empty `sub` returns the start capped
/// at the length.
fn index_of<'a>(args: &[ScriptValue<'a>], ci: bool) -> ScriptValue<'a> {
    let (Some(src), Some(sub)) =
        (args.first().and_then(ScriptValue::text), args.get(1).and_then(ScriptValue::text))
    else {
        return ScriptValue::Null;
    };
    let start = match args.get(2).map(ScriptValue::number) {
        None | Some(None) => 0,
        Some(Some(Num::Int(i))) => usize::try_from(i.max(0)).unwrap_or(usize::MAX),
        Some(Some(Num::Float(_))) => return ScriptValue::Null,
    };
    let len = src.chars().count();
    if sub.is_empty() {
        return ScriptValue::Int(to_i64(start.min(len)));
    }
    find_chars(&src, &sub, start, ci).map_or(ScriptValue::Null, |at| ScriptValue::Int(to_i64(at)))
}

/// `between(src, left, right[, greedy])` with ES StringUtils.between semantics: an empty
/// argument returns `src`; `left` or `right` not found returns `""`.
fn between<'a>(args: &[ScriptValue<'a>], ci: bool) -> ScriptValue<'a> {
    let texts: Option<Vec<Cow<'_, str>>> = args.iter().take(3).map(ScriptValue::text).collect();
    let Some(texts) = texts.filter(|t| t.len() == 3) else { return ScriptValue::Null };
    let greedy = match args.get(3) {
        None | Some(ScriptValue::Null) => false,
        Some(v) => match v.bool() {
            Some(b) => b,
            None => return ScriptValue::Null,
        },
    };
    let (src, left, right) = (&texts[0], &texts[1], &texts[2]);
    if src.is_empty() || left.is_empty() || right.is_empty() {
        return ScriptValue::Str(Cow::Owned(src.to_string()));
    }
    let Some(left_at) = find_chars(src, left, 0, ci) else {
        return ScriptValue::Str(Cow::Borrowed(""));
    };
    let start = left_at + left.chars().count();
    let end = if greedy {
        let (hay, needle) =
            if ci { (fold(src), fold(right)) } else { (src.to_string(), right.to_string()) };
        hay.rfind(&needle).map(|at| hay[..at].chars().count())
    } else {
        find_chars(src, right, start, ci)
    };
    match end {
        Some(end) if end >= start => {
            ScriptValue::Str(Cow::Owned(char_slice(src, start, end).to_owned()))
        }
        _ => ScriptValue::Str(Cow::Borrowed("")),
    }
}

/// `substring(src, start[, end])` with Python slice semantics (negative indexes count from
/// the end; out-of-range indexes are clamped).
fn substring<'a>(args: &[ScriptValue<'a>]) -> ScriptValue<'a> {
    let Some(src) = args.first().and_then(ScriptValue::text) else { return ScriptValue::Null };
    let len = to_i64(src.chars().count());
    let index = |v: Option<&ScriptValue<'_>>, default: i64| -> Option<i64> {
        match v {
            None | Some(ScriptValue::Null) => Some(default),
            Some(ScriptValue::Int(i)) => Some(*i),
            Some(_) => None,
        }
    };
    let (Some(start), Some(end)) = (index(args.get(1), 0), index(args.get(2), len)) else {
        return ScriptValue::Null;
    };
    let clamp = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
    let (start, end) = (clamp(start), clamp(end));
    let (start, end) = (usize::try_from(start).unwrap_or(0), usize::try_from(end).unwrap_or(0));
    ScriptValue::Str(Cow::Owned(char_slice(&src, start, end).to_owned()))
}

/// `number(src[, base])`: decimal (or `0x` hex) by default, another radix when given;
/// unparsable text gives null (ES fails the query instead).
fn number<'a>(args: &[ScriptValue<'a>]) -> ScriptValue<'a> {
    let Some(src) = args.first().and_then(ScriptValue::text) else { return ScriptValue::Null };
    let text = src.trim();
    let base = match args.get(1) {
        None | Some(ScriptValue::Null) => None,
        Some(ScriptValue::Int(b)) => Some(*b),
        Some(_) => return ScriptValue::Null,
    };
    let (digits, negative) = match text.strip_prefix('-') {
        Some(rest) => (rest, true),
        None => (text.strip_prefix('+').unwrap_or(text), false),
    };
    let hex = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X"));
    let radix = match (base, hex) {
        (None | Some(16), Some(_)) => 16,
        (None, None) => 10,
        (Some(b), _) => match u32::try_from(b) {
            Ok(b) if (2..=36).contains(&b) => b,
            _ => return ScriptValue::Null,
        },
    };
    let digits = if radix == 16 { hex.unwrap_or(digits) } else { digits };
    if let Ok(i) = i64::from_str_radix(digits, radix) {
        return ScriptValue::Int(if negative { -i } else { i });
    }
    if radix == 10
        && let Some(f) = parse_number(text)
    {
        return ScriptValue::Float(f);
    }
    ScriptValue::Null
}

fn cidr_match<'a>(args: &[ScriptValue<'a>]) -> ScriptValue<'a> {
    let Some(ip) = args.first().and_then(ScriptValue::text) else { return ScriptValue::Null };
    let mut any = false;
    for cidr in &args[1..] {
        let Some(block) = cidr.text().and_then(|t| CidrBlock::parse(&t)) else {
            return ScriptValue::Null;
        };
        any |= block.contains_text(&ip);
    }
    ScriptValue::Bool(any)
}

/// True if the value is null (for `IsNull`).
pub(crate) fn is_null(value: &ScriptValue<'_>) -> bool {
    value.is_null()
}
