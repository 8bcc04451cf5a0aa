//! The argument types of the EQL functions, and the check of arguments whose type is known
//! without a mapping (literals, nested calls, arithmetic, comparisons) against them, as
//! Elasticsearch's verifier does (QL `TypeResolutions`: `isString`, `isNumeric`, `isInteger`,
//! `isBoolean` in each function's `resolveType`; eql.md §1.4 signatures). `null` fits every
//! type. Field arguments are checked against the schema elsewhere.

use eql_syntax::ast::{Expr, ExprKind, Literal};
use rule_vm::Func;

/// The static type of an expression, where it has one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A string.
    Str,
    /// An integer.
    Int,
    /// A float.
    Float,
    /// A number whose integer-ness depends on its operands.
    Number,
    /// A boolean.
    Bool,
}

impl Kind {
    /// ES's name of the type in its error message.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Str => "keyword",
            Kind::Int => "integer",
            Kind::Float => "double",
            Kind::Number => "number",
            Kind::Bool => "boolean",
        }
    }
}

/// What a parameter accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Param {
    Str,
    Numeric,
    Integer,
    Bool,
    Any,
}

impl Param {
    fn accepts(self, kind: Kind) -> bool {
        match self {
            Param::Any => true,
            Param::Str => kind == Kind::Str,
            Param::Numeric => matches!(kind, Kind::Int | Kind::Float | Kind::Number),
            Param::Integer => matches!(kind, Kind::Int | Kind::Number),
            Param::Bool => kind == Kind::Bool,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Param::Str => "string",
            Param::Numeric => "numeric",
            Param::Integer => "integer",
            Param::Bool => "boolean",
            Param::Any => "any",
        }
    }
}

/// The type parameter `index` of `func` accepts.
fn param(func: Func, index: usize) -> Param {
    match func {
        Func::Add | Func::Subtract | Func::Multiply | Func::Divide | Func::Modulo => Param::Numeric,
        Func::Between if index == 3 => Param::Bool,
        Func::IndexOf if index == 2 => Param::Integer,
        Func::Number if index == 1 => Param::Integer,
        Func::Substring if index > 0 => Param::Integer,
        Func::CidrMatch if index > 0 => Param::Str,
        Func::Between
        | Func::EndsWith
        | Func::IndexOf
        | Func::Length
        | Func::Number
        | Func::StartsWith
        | Func::StringContains
        | Func::Substring => Param::Str,
        Func::CidrMatch | Func::Concat | Func::String => Param::Any,
    }
}

/// The type `func` returns.
fn returns(func: Func) -> Kind {
    match func {
        Func::Add
        | Func::Subtract
        | Func::Multiply
        | Func::Divide
        | Func::Modulo
        | Func::Number => Kind::Number,
        Func::IndexOf | Func::Length => Kind::Int,
        Func::Between | Func::Concat | Func::String | Func::Substring => Kind::Str,
        Func::EndsWith | Func::StartsWith | Func::StringContains | Func::CidrMatch => Kind::Bool,
    }
}

/// The static type of `e`: `None` for `null`, fields and calls to unknown functions.
pub(crate) fn kind_of(e: &Expr) -> Option<Kind> {
    match &e.kind {
        ExprKind::Literal(Literal::Null) | ExprKind::Field(_) => None,
        ExprKind::Literal(Literal::String(_)) => Some(Kind::Str),
        ExprKind::Literal(Literal::Int(_)) => Some(Kind::Int),
        ExprKind::Literal(Literal::Float(_)) => Some(Kind::Float),
        ExprKind::Literal(Literal::Bool(_))
        | ExprKind::Not(_)
        | ExprKind::And(_)
        | ExprKind::Or(_)
        | ExprKind::Compare { .. }
        | ExprKind::In { .. }
        | ExprKind::Match { .. } => Some(Kind::Bool),
        ExprKind::Arith { .. } | ExprKind::Neg(_) => Some(Kind::Number),
        ExprKind::Call { name, .. } => Func::from_name(&name.name).map(returns),
    }
}

/// The first argument of a call to `func` whose static type the parameter does not accept:
/// its index, the expected type's name and the argument's type.
pub(crate) fn mistyped_argument(func: Func, args: &[Expr]) -> Option<(usize, &'static str, Kind)> {
    args.iter().enumerate().find_map(|(index, arg)| {
        let kind = kind_of(arg)?;
        let expected = param(func, index);
        (!expected.accepts(kind)).then_some((index, expected.name(), kind))
    })
}

/// "first", "second", ... as ES words argument positions.
pub(crate) fn ordinal(index: usize) -> &'static str {
    ["first", "second", "third", "fourth", "fifth"].get(index).copied().unwrap_or("an")
}
