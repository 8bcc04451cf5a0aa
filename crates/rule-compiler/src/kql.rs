//! Lowers a KQL query to a [`Cond`] the way Kibana builds its Elasticsearch query for a
//! detection rule, with the field types of a [`Schema`] (kql.md §2.1–2.3):
//!
//! * field names are looked up in the schema (aliases followed, multi-fields read through
//!   their parent); a wildcard field name expands over the schema's fields, case-sensitively,
//!   and each field gets its own clause, OR'ed; an unknown field gets keyword semantics and a
//!   warning; a wildcard name matching nothing is matched against the event's own field names;
//! * values are matched by type ([`crate::kql_value`]);
//! * value lists distribute the field (`f:(a or b and not c)`);
//! * `not` is `must_not` (true when the field is missing); arrays match on any element;
//! * `p:{ q }` is an ES `nested` query: same-object matching when `p` is mapped `nested`, a
//!   compile error when `p` is mapped as something else (ES rejects the search), and — our
//!   choice for a path no schema knows, since Kibana would send a `nested` query that only a
//!   `nested` mapping accepts — the inner names prefixed with `p.` over flattened objects,
//!   with a warning;
//! * free text (`foo`, `"a b"`, `foo*`) is Kibana's `multi_match` / `query_string` over every
//!   field, lenient: exact whole values on every leaf of the event, plus token matching on
//!   every analysed (`text`) field the schema knows.

use std::collections::BTreeSet;

use field_schema::Schema;
use jiff::Timestamp;
use kql_syntax::ast::{
    Field, FieldName, Node, NodeKind, RangeOp, Value, ValueExpr, ValueExprKind, ValueKind,
    WildcardPart,
};
use rule_span::Span;
use rule_vm::{CaseMode, FieldTable, GlobPart, Instr, ProgramBuilder, StrMatcher, Test};

use crate::cond::Cond;
use crate::constant::Constants;
use crate::eql::debug_span;
use crate::error::{CompileError, CompileWarning};
use crate::types::{FieldInfo, lookup, typed_leaf};

/// Lowering state for one KQL program.
pub(crate) struct KqlLowering<'c> {
    pub(crate) fields: &'c mut FieldTable,
    pub(crate) builder: ProgramBuilder,
    pub(crate) errors: &'c mut Vec<CompileError>,
    pub(crate) warnings: &'c mut Vec<CompileWarning>,
    /// `None`: no schema at all (every field a keyword, no warnings).
    pub(crate) schema: Option<&'c Schema>,
    /// The clock of date math (`now`).
    pub(crate) now: Timestamp,
    /// Unknown names already warned about.
    pub(crate) warned: BTreeSet<String>,
    /// The nodes that lowered to a constant.
    pub(crate) constants: Constants,
}

/// Where a query's field names live: the enclosing `p:{ }` groups.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    /// Prepended to names to get the full dotted path (empty or ending in `.`).
    pub(crate) prefix: String,
    /// Stripped from a full path to get the name inside the innermost `nested` object
    /// (empty at the top level).
    pub(crate) nested_root: String,
}

/// Where a value is looked for.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// Typed fields (one, or the expansion of a wildcard name), OR'ed.
    Fields(Vec<FieldInfo>),
    /// Every leaf of the event whose dotted path matches the glob (keyword semantics).
    EventFields(Vec<GlobPart>),
    /// Free text: every field.
    AllFields,
}

pub(crate) fn wildcard_parts(parts: &[WildcardPart]) -> Vec<GlobPart> {
    parts
        .iter()
        .map(|part| match part {
            WildcardPart::Literal(text) => GlobPart::Literal(text.clone()),
            WildcardPart::Any => GlobPart::AnyRun,
        })
        .collect()
}

/// The exact text a value stands for, if it is not a wildcard.
pub(crate) fn exact_text(value: &Value) -> Option<&str> {
    match &value.kind {
        ValueKind::Quoted(s) | ValueKind::Unquoted(s) => Some(s),
        ValueKind::Null => Some("null"),
        ValueKind::Bool(true) => Some("true"),
        ValueKind::Bool(false) => Some("false"),
        ValueKind::Wildcard(_) => None,
    }
}

impl KqlLowering<'_> {
    /// Lowers a query node, noting it if it is constant.
    pub(crate) fn node(&mut self, node: &Node, scope: &Scope) -> Cond {
        let cond = self.lower_node(node, scope);
        self.constants.note(debug_span(node.span), &cond);
        cond
    }

    fn lower_node(&mut self, node: &Node, scope: &Scope) -> Cond {
        match &node.kind {
            NodeKind::MatchAll => Cond::Const(true),
            NodeKind::Or(children) => {
                let conds = children.iter().map(|c| self.node(c, scope)).collect();
                Cond::or(conds)
            }
            NodeKind::And(children) => {
                let conds = children.iter().map(|c| self.node(c, scope)).collect();
                Cond::and(conds)
            }
            NodeKind::Not(child) => {
                let inner = self.node(child, scope);
                Cond::not(inner, debug_span(node.span))
            }
            NodeKind::Field { field, values } => {
                let target = self.target(field, scope);
                self.value_expr(values, &target, scope)
            }
            NodeKind::FreeText(value) => self.value(value, &Target::AllFields, scope),
            NodeKind::Range { field, op, value } => {
                let target = self.target(field, scope);
                self.range(&target, *op, value, scope, node.span)
            }
            NodeKind::Nested { path, query } => self.nested(path, query, scope),
        }
    }

    fn nested(&mut self, path: &Field, query: &Node, scope: &Scope) -> Cond {
        let FieldName::Exact(name) = &path.name else {
            self.errors.push(CompileError::Unsupported {
                what: "a nested query on a wildcard or null path".into(),
                span: path.span,
            });
            return Cond::Const(false);
        };
        let full = format!("{}{name}", scope.prefix);
        let inner_prefix = format!("{full}.");
        match self.schema.and_then(|schema| schema.get(&full)) {
            Some(spec) if spec.ty == field_schema::FieldType::Nested => {
                let relative = full.strip_prefix(&scope.nested_root).unwrap_or(&full).to_owned();
                let inner_scope = Scope { prefix: inner_prefix.clone(), nested_root: inner_prefix };
                let inner = self.node(query, &inner_scope);
                let path_id = self.fields.intern(&relative);
                Cond::Nested(path_id, Box::new(inner), debug_span(path.span))
            }
            Some(_) => {
                self.errors.push(CompileError::NotNested { path: full, span: path.span });
                Cond::Const(false)
            }
            None => {
                if self.schema.is_some() {
                    self.warnings
                        .push(CompileWarning::NestedUnmapped { path: full, span: path.span });
                }
                let inner_scope =
                    Scope { prefix: inner_prefix, nested_root: scope.nested_root.clone() };
                self.node(query, &inner_scope)
            }
        }
    }

    /// Resolves a field name (exact or wildcard) in `scope`.
    fn target(&mut self, field: &Field, scope: &Scope) -> Target {
        match &field.name {
            FieldName::Null => Target::AllFields,
            FieldName::Wildcard(w) if w.is_match_any() && scope.prefix.is_empty() => {
                Target::AllFields
            }
            FieldName::Exact(name) => {
                let full = format!("{}{name}", scope.prefix);
                let info = match self.schema {
                    Some(schema) => lookup(schema, &full).unwrap_or_else(|| {
                        if self.warned.insert(full.clone()) {
                            self.warnings.push(CompileWarning::UnknownField {
                                name: full.clone(),
                                span: field.span,
                            });
                        }
                        FieldInfo::unknown(&full)
                    }),
                    None => FieldInfo::unknown(&full),
                };
                Target::Fields(vec![info])
            }
            FieldName::Wildcard(w) => {
                let mut parts = Vec::new();
                if !scope.prefix.is_empty() {
                    parts.push(GlobPart::Literal(scope.prefix.clone()));
                }
                parts.extend(wildcard_parts(&w.parts));
                let pattern: String = parts
                    .iter()
                    .map(|p| match p {
                        GlobPart::Literal(text) => text.as_str(),
                        _ => "*",
                    })
                    .collect();
                let expanded: Vec<FieldInfo> = self
                    .schema
                    .map(|schema| {
                        schema
                            .expand(&pattern)
                            .into_iter()
                            .filter_map(|n| lookup(schema, n))
                            .collect()
                    })
                    .unwrap_or_default();
                if expanded.is_empty() {
                    if self.schema.is_some() {
                        self.warnings.push(CompileWarning::FieldPatternUnmatched {
                            pattern,
                            span: field.span,
                        });
                    }
                    Target::EventFields(parts)
                } else {
                    Target::Fields(expanded)
                }
            }
        }
    }

    /// The path a field's values are read from, relative to the innermost nested object.
    pub(crate) fn intern(&mut self, info: &FieldInfo, scope: &Scope) -> rule_vm::FieldId {
        let path = info.read_path.strip_prefix(&scope.nested_root).unwrap_or(&info.read_path);
        self.fields.intern(path)
    }

    /// A leaf on one typed field, with the field's `null_value` taken into account: when the
    /// `null_value` itself passes the test, an explicit JSON `null` matches too.
    pub(crate) fn field_leaf(
        &mut self,
        info: &FieldInfo,
        scope: &Scope,
        test: Test,
        span: Span,
    ) -> Cond {
        let field = self.intern(info, scope);
        typed_leaf(&self.builder, field, info, test, debug_span(span))
    }

    /// A leaf over event leaves (free text, unmatched wildcard names).
    pub(crate) fn any_field_leaf(
        &mut self,
        paths: Option<&[GlobPart]>,
        test: Test,
        span: Span,
    ) -> Cond {
        let paths = paths
            .map(|parts| self.builder.add_matcher(StrMatcher::new(parts, CaseMode::Sensitive)));
        Cond::Leaf(Instr::TestAnyField { paths, test }, debug_span(span))
    }

    fn value_expr(&mut self, expr: &ValueExpr, target: &Target, scope: &Scope) -> Cond {
        match &expr.kind {
            ValueExprKind::Value(value) => self.value(value, target, scope),
            ValueExprKind::Not(inner) => {
                let inner = self.value_expr(inner, target, scope);
                Cond::not(inner, debug_span(expr.span))
            }
            ValueExprKind::And(children) => {
                let conds = children.iter().map(|c| self.value_expr(c, target, scope)).collect();
                Cond::and(conds)
            }
            ValueExprKind::Or(children) => {
                if let Some(set) = self.exact_set(children, target, scope, expr.span) {
                    return set;
                }
                let conds = children.iter().map(|c| self.value_expr(c, target, scope)).collect();
                Cond::or(conds)
            }
        }
    }

    /// `f:(a or b or c)` with exact values on keyword-like fields: one set lookup per field.
    fn exact_set(
        &mut self,
        children: &[ValueExpr],
        target: &Target,
        scope: &Scope,
        span: Span,
    ) -> Option<Cond> {
        let Target::Fields(infos) = target else { return None };
        if !infos.iter().all(FieldInfo::is_keyword_like) {
            return None;
        }
        let values: Vec<&str> = children
            .iter()
            .map(|c| match &c.kind {
                ValueExprKind::Value(v) => exact_text(v),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let set = self.builder.add_set(rule_vm::ValueSet::new(values, CaseMode::Sensitive));
        let conds = infos
            .iter()
            .map(|info| self.field_leaf(info, scope, Test::InSet { set }, span))
            .collect();
        Some(Cond::or(conds))
    }

    fn value(&mut self, value: &Value, target: &Target, scope: &Scope) -> Cond {
        match target {
            Target::Fields(infos) => {
                let conds = infos.iter().map(|info| self.typed_value(info, value, scope)).collect();
                Cond::or(conds)
            }
            Target::EventFields(paths) => {
                let test = self.keyword_test(value);
                self.any_field_leaf(Some(paths), test, value.span)
            }
            Target::AllFields => self.free_text(value, scope),
        }
    }

    fn range(
        &mut self,
        target: &Target,
        op: RangeOp,
        value: &Value,
        scope: &Scope,
        span: Span,
    ) -> Cond {
        match target {
            Target::Fields(infos) => {
                let conds = infos
                    .iter()
                    .map(|info| self.typed_range(info, op, value, scope, span))
                    .collect();
                Cond::or(conds)
            }
            Target::EventFields(paths) => {
                let test = self.text_compare(op, value);
                self.any_field_leaf(Some(paths), test, span)
            }
            Target::AllFields => {
                let test = self.text_compare(op, value);
                self.any_field_leaf(None, test, span)
            }
        }
    }
}
