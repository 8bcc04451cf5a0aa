//! Optional fields (`?field`) that no schema maps.
//!
//! Elasticsearch replaces an optional field by `null` when none of the searched indices maps
//! it, and reads it as a normal field when one does (eql.md §1.3, the `?field` row). The
//! schemas warden knows are not the user's mappings (integration fields are missing from the
//! built-in tables), so such a field is read from the event at run time like any other field:
//! an absent value reads as null, which is Elasticsearch's answer when the field really is
//! unmapped. Folding it to a `null` constant instead makes rules that Elasticsearch runs fine
//! never match (`not (?a : "x" or ?b : "x")` folds to `null`).
//!
//! One construct needs more than reading the field: Elasticsearch refuses a comparison
//! between two fields, except when one side is an unmapped optional field, which folds to
//! `null` and turns `?x == y` into `y == null` (`IsNull`, true when both are null). That
//! comparison compiles to a null-safe script: equal when both sides are null or both are
//! equal values.

use crate::cond::DebugSpan;
use crate::eql::EqlLowering;
use eql_syntax::ast::{CompareOp, Expr, ExprKind};
use rule_vm::{CmpOp, Instr, LogicOp};

impl EqlLowering<'_> {
    /// Whether `e` reads fields and every one is optional and unmapped (the side of a
    /// comparison Elasticsearch folds to `null`).
    pub(crate) fn reads_only_unmapped_optionals(&self, e: &Expr) -> bool {
        let mut found = false;
        let all = self.every_field_unmapped_optional(e, &mut found);
        all && found
    }

    fn every_field_unmapped_optional(&self, e: &Expr, found: &mut bool) -> bool {
        let children: Vec<&Expr> = match &e.kind {
            ExprKind::Literal(_) => Vec::new(),
            ExprKind::Field(f) => {
                *found = true;
                return f.optional
                    && self.schema.is_none_or(|schema| schema.resolve(&f.name).is_none());
            }
            ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
            ExprKind::And(xs) | ExprKind::Or(xs) | ExprKind::Call { args: xs, .. } => {
                xs.iter().collect()
            }
            ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
                vec![lhs, rhs]
            }
            ExprKind::In { expr, values: xs, .. } | ExprKind::Match { expr, patterns: xs, .. } => {
                std::iter::once(&**expr).chain(xs).collect()
            }
        };
        children.into_iter().all(|x| self.every_field_unmapped_optional(x, found))
    }

    /// Whether a comparison of two field-reading sides is one Elasticsearch accepts: a side
    /// reads only unmapped optional fields.
    pub(crate) fn optional_comparison(&self, lhs: &Expr, rhs: &Expr) -> bool {
        self.reads_only_unmapped_optionals(lhs) || self.reads_only_unmapped_optionals(rhs)
    }

    /// Emits `lhs op rhs` where a side reads only unmapped optional fields: `==` is true when
    /// both sides are null or both are equal, `!=` when exactly one is null or both differ;
    /// an ordering is null (no match) when a side is null.
    pub(crate) fn null_safe_compare(
        &mut self,
        op: CompareOp,
        lhs: &Expr,
        rhs: &Expr,
        span: DebugSpan,
        out: &mut Vec<(Instr, DebugSpan)>,
    ) {
        let nulls = match op {
            CompareOp::Eq => Some(LogicOp::And),
            CompareOp::NotEq => None,
            _ => {
                self.value(lhs, out);
                self.value(rhs, out);
                out.push((Instr::Cmp(crate::eql::cmp_op(op)), span));
                return;
            }
        };
        self.value(lhs, out);
        out.push((Instr::IsNull, span));
        self.value(rhs, out);
        out.push((Instr::IsNull, span));
        // Both null (`==`), or exactly one null (`!=`: the two null tests differ).
        out.push((nulls.map_or(Instr::Cmp(CmpOp::Ne), Instr::Logic), span));
        self.value(lhs, out);
        self.value(rhs, out);
        out.push((Instr::Cmp(crate::eql::cmp_op(op)), span));
        out.push((Instr::Logic(LogicOp::Or), span));
    }
}
