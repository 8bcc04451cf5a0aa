//! Lowers a KQL query to a [`Cond`] the way Kibana builds its Elasticsearch query for a
//! detection rule (kql.md §2.1–2.3), evaluated locally with keyword semantics:
//!
//! * `f:v` (quoted or not) is an exact, case-sensitive whole-value term; numbers stay text
//!   (`4702` matches the JSON number 4702 through its text); `null`/`true`/`false` match
//!   their text;
//! * an unquoted value with `*` is a whole-value, case-sensitive wildcard (`?` is literal);
//! * `f:*` is `exists` (`""` counts, `null`/`[]` do not);
//! * value lists distribute the field (`f:(a or b and not c)`); exact alternatives on one
//!   field become one set lookup;
//! * ranges compare numerically when both sides are numbers, else as text;
//! * `not` is `must_not` (true when the field is missing);
//! * `p:{ q }` prefixes the inner field names with `p.` (object arrays are flattened, so
//!   same-object matching of `nested` mappings is not enforced);
//! * free text (`foo`, `null:foo`) is approximated as "some leaf value anywhere in the event
//!   equals / matches the value" — Kibana sends a `multi_match` over every field, which on
//!   keyword fields is exactly that, but on `text` fields would match tokens; this
//!   approximation stands until field types land;
//! * a wildcard field name (`machine.os*:v`) matches every leaf of the event whose dotted path
//!   matches the pattern (Kibana expands it over the data view's fields; with no data view we
//!   expand it over the event's own fields).
//!
//! Field types: [`FieldTypes`] is the hook. Every field is a keyword by default
//! ([`KeywordFields`]); a [`FieldKind::Numeric`] field compares `f:v` numerically.

use crate::cond::Cond;
use crate::eql::debug_span;
use crate::error::CompileError;
use kql_syntax::ast::{
    FieldName, Node, NodeKind, RangeOp, Value, ValueExpr, ValueExprKind, ValueKind, WildcardPart,
};
use rule_span::Span;
use rule_vm::{
    Bound, CaseMode, CmpOp, FieldTable, GlobPart, Instr, ProgramBuilder, StrMatcher, Test, ValueSet,
};

/// How a field is mapped, as far as KQL matching cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `keyword` (and the default): exact, case-sensitive text.
    Keyword,
    /// `long`, `float`, ...: `f:v` compares numerically when `v` is a number.
    Numeric,
}

/// The field-type hook of the KQL lowering (an ECS schema or a data view later).
pub trait FieldTypes {
    /// The kind of `field` (a full dotted path).
    fn kind(&self, field: &str) -> FieldKind;
}

/// Every field is a keyword.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeywordFields;

impl FieldTypes for KeywordFields {
    fn kind(&self, _field: &str) -> FieldKind {
        FieldKind::Keyword
    }
}

/// Lowering state for one KQL program.
pub(crate) struct KqlLowering<'c> {
    pub(crate) fields: &'c mut FieldTable,
    pub(crate) builder: ProgramBuilder,
    pub(crate) errors: &'c mut Vec<CompileError>,
    pub(crate) types: &'c dyn FieldTypes,
}

/// Where a value is looked for.
#[derive(Clone, Debug)]
enum Target {
    /// One field (full dotted path).
    Field(String),
    /// Every leaf of the event, or those whose path matches the pattern.
    AnyField(Option<Vec<GlobPart>>),
}

fn wildcard_parts(parts: &[WildcardPart]) -> Vec<GlobPart> {
    parts
        .iter()
        .map(|part| match part {
            WildcardPart::Literal(text) => GlobPart::Literal(text.clone()),
            WildcardPart::Any => GlobPart::AnyRun,
        })
        .collect()
}

/// The exact text a value stands for, if it is not a wildcard.
fn exact_text(value: &Value) -> Option<&str> {
    match &value.kind {
        ValueKind::Quoted(s) | ValueKind::Unquoted(s) => Some(s),
        ValueKind::Null => Some("null"),
        ValueKind::Bool(true) => Some("true"),
        ValueKind::Bool(false) => Some("false"),
        ValueKind::Wildcard(_) => None,
    }
}

/// The text of a range bound (a wildcard's `*` kept as written).
fn bound_text(value: &Value) -> String {
    match &value.kind {
        ValueKind::Wildcard(w) => w
            .parts
            .iter()
            .map(|part| match part {
                WildcardPart::Literal(text) => text.as_str(),
                WildcardPart::Any => "*",
            })
            .collect(),
        _ => exact_text(value).unwrap_or_default().to_owned(),
    }
}

impl KqlLowering<'_> {
    /// Lowers a query node; `prefix` is the enclosing nested path (empty or ending in `.`).
    pub(crate) fn node(&mut self, node: &Node, prefix: &str) -> Cond {
        match &node.kind {
            NodeKind::MatchAll => Cond::Const(true),
            NodeKind::Or(children) => {
                let conds = children.iter().map(|c| self.node(c, prefix)).collect();
                Cond::or(conds)
            }
            NodeKind::And(children) => {
                let conds = children.iter().map(|c| self.node(c, prefix)).collect();
                Cond::and(conds)
            }
            NodeKind::Not(child) => {
                let inner = self.node(child, prefix);
                Cond::not(inner, debug_span(node.span))
            }
            NodeKind::Field { field, values } => {
                let target = Self::target(&field.name, prefix);
                self.value_expr(values, &target)
            }
            NodeKind::FreeText(value) => self.value(value, &Target::AnyField(None)),
            NodeKind::Range { field, op, value } => {
                let target = Self::target(&field.name, prefix);
                let op = match op {
                    RangeOp::Lt => CmpOp::Lt,
                    RangeOp::Lte => CmpOp::Le,
                    RangeOp::Gt => CmpOp::Gt,
                    RangeOp::Gte => CmpOp::Ge,
                };
                let bound = self.builder.add_bound(Bound::from_text(&bound_text(value)));
                self.leaf(&target, Test::Compare { op, bound }, node.span)
            }
            NodeKind::Nested { path, query } => match &path.name {
                FieldName::Exact(name) => self.node(query, &format!("{prefix}{name}.")),
                FieldName::Wildcard(_) | FieldName::Null => {
                    self.errors.push(CompileError::Unsupported {
                        what: "a nested query on a wildcard or null path".into(),
                        span: path.span,
                    });
                    Cond::Const(false)
                }
            },
        }
    }

    fn target(name: &FieldName, prefix: &str) -> Target {
        match name {
            FieldName::Exact(name) => Target::Field(format!("{prefix}{name}")),
            FieldName::Null => Target::AnyField(None),
            FieldName::Wildcard(w) if w.is_match_any() && prefix.is_empty() => {
                Target::AnyField(None)
            }
            FieldName::Wildcard(w) => {
                let mut parts = Vec::new();
                if !prefix.is_empty() {
                    parts.push(GlobPart::Literal(prefix.to_owned()));
                }
                parts.extend(wildcard_parts(&w.parts));
                Target::AnyField(Some(parts))
            }
        }
    }

    fn leaf(&mut self, target: &Target, test: Test, span: Span) -> Cond {
        let instr = match target {
            Target::Field(name) => Instr::Test { field: self.fields.intern(name), test },
            Target::AnyField(paths) => {
                let paths = paths.as_ref().map(|parts| {
                    self.builder.add_matcher(StrMatcher::new(parts, CaseMode::Sensitive))
                });
                Instr::TestAnyField { paths, test }
            }
        };
        Cond::Leaf(instr, debug_span(span))
    }

    fn is_numeric(&self, target: &Target) -> bool {
        matches!(target, Target::Field(name) if self.types.kind(name) == FieldKind::Numeric)
    }

    fn value_expr(&mut self, expr: &ValueExpr, target: &Target) -> Cond {
        match &expr.kind {
            ValueExprKind::Value(value) => self.value(value, target),
            ValueExprKind::Not(inner) => {
                let inner = self.value_expr(inner, target);
                Cond::not(inner, debug_span(expr.span))
            }
            ValueExprKind::And(children) => {
                let conds = children.iter().map(|c| self.value_expr(c, target)).collect();
                Cond::and(conds)
            }
            ValueExprKind::Or(children) => {
                // `f:(a or b or c)` with exact values: one set lookup.
                let exact: Option<Vec<&str>> = children
                    .iter()
                    .map(|c| match &c.kind {
                        ValueExprKind::Value(v) => exact_text(v),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = exact.filter(|_| !self.is_numeric(target)) {
                    let set = self.builder.add_set(ValueSet::new(values, CaseMode::Sensitive));
                    return self.leaf(target, Test::InSet { set }, expr.span);
                }
                let conds = children.iter().map(|c| self.value_expr(c, target)).collect();
                Cond::or(conds)
            }
        }
    }

    fn value(&mut self, value: &Value, target: &Target) -> Cond {
        let test = match &value.kind {
            ValueKind::Wildcard(w) if w.is_match_any() => {
                if matches!(target, Target::AnyField(None)) {
                    // `*:*`, `*`, `null:*`: match_all.
                    return Cond::Const(true);
                }
                Test::Exists
            }
            ValueKind::Wildcard(w) => {
                let matcher = StrMatcher::new(&wildcard_parts(&w.parts), CaseMode::Sensitive);
                Test::Matches { matcher: self.builder.add_matcher(matcher) }
            }
            _ => {
                let text = exact_text(value).unwrap_or_default();
                if self.is_numeric(target) && rule_vm::parse_number(text).is_some() {
                    let bound = self.builder.add_bound(Bound::from_text(text));
                    Test::Compare { op: CmpOp::Eq, bound }
                } else {
                    let matcher = StrMatcher::exact(text, CaseMode::Sensitive);
                    Test::Matches { matcher: self.builder.add_matcher(matcher) }
                }
            }
        };
        self.leaf(target, test, value.span)
    }
}
