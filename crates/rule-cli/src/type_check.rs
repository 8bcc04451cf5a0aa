//! Comparisons of a field with a literal of another type, found from the field's schema type:
//! an EQL `in` list Elasticsearch rejects, and the comparisons it accepts but that are almost
//! always mistakes (a keyword compared with a number, a range on a boolean, in EQL and KQL).

use eql_syntax::ast::{self as eql, CompareOp, ExprKind, Literal};
use field_schema::{FieldType, Schema};
use kql_syntax::ast::{self as kql, FieldName, NodeKind};
use miette::Diagnostic;
use rule_span::Span;
use thiserror::Error;

use crate::event_category::event_queries;

/// A field compared with a value of another type.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub(crate) enum TypeMismatch {
    /// An EQL `in` list element of another type than the field: `process.pid in (1, "a")`.
    /// Elasticsearch's verifier rejects the query: "2nd argument of \[...\] must be \[long\],
    /// found value \["a"\] type \[keyword\]" (`VerifierTests.testMixedSet`, ES EQL analysis
    /// tests).
    #[error("`in` list element is {found}, but [{field}] is a {ty} field")]
    #[diagnostic(
        code(compile::in_type_mismatch),
        help(
            "every element of an `in` list must have the field's type; Elasticsearch rejects the query"
        )
    )]
    InList {
        /// The field.
        field: String,
        /// Its mapped type.
        ty: String,
        /// What the element is (`a string`, `a number`, `a boolean`).
        found: &'static str,
        /// The element.
        #[label("{found}")]
        span: Span,
    },

    /// An EQL comparison of a field with a literal of another type: `process.name == 5`.
    /// Elasticsearch accepts it ("Mismatched type, still ok": `VerifierTests.testQueryOk`),
    /// but it compares a keyword with the number's text and a number or boolean field with a
    /// string that field cannot hold.
    #[error("[{field}] is a {ty} field, compared with {found}")]
    #[diagnostic(
        code(compile::type_mismatch),
        severity(Warning),
        help("compare the field with a value of its type (quote it for a keyword field)")
    )]
    Comparison {
        /// The field.
        field: String,
        /// Its mapped type.
        ty: String,
        /// What the literal is.
        found: &'static str,
        /// The comparison.
        #[label("{found}")]
        span: Span,
    },

    /// `<`, `<=`, `>` or `>=` on a boolean field: `process.code_signature.trusted > false`.
    /// Elasticsearch orders `false` before `true`, so this is an obscure way to write `==`.
    #[error("range comparison on the boolean field [{field}]")]
    #[diagnostic(
        code(compile::range_on_boolean),
        severity(Warning),
        help("a boolean is true or false: write `{field} == true` (EQL) or `{field}: true` (KQL)")
    )]
    RangeOnBoolean {
        /// The field.
        field: String,
        /// The comparison.
        #[label("a range on a boolean")]
        span: Span,
    },
}

/// The type family of a mapped field, for comparing with literals.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Number,
    Boolean,
    Ip,
}

fn family(schema: &Schema, field: &str) -> Option<(Family, String)> {
    let ty = &schema.resolve(field)?.spec.ty;
    let family = if ty.is_string_like() || ty.is_analyzed() || *ty == FieldType::Version {
        Family::String
    } else if ty.is_numeric() {
        Family::Number
    } else if *ty == FieldType::Boolean {
        Family::Boolean
    } else if *ty == FieldType::Ip {
        Family::Ip
    } else {
        return None;
    };
    Some((family, ty.es_name().to_owned()))
}

/// What `literal` is, when it does not fit `family` (`null` fits every type).
fn misfit(family: Family, literal: &Literal) -> Option<&'static str> {
    let fits = match literal {
        Literal::Null => true,
        Literal::Bool(_) => family == Family::Boolean,
        Literal::Int(_) | Literal::Float(_) => family == Family::Number,
        Literal::String(_) => matches!(family, Family::String | Family::Ip),
    };
    (!fits).then_some(match literal {
        Literal::Bool(_) => "a boolean",
        Literal::Int(_) | Literal::Float(_) => "a number",
        Literal::String(_) | Literal::Null => "a string",
    })
}

/// Every mismatch in an EQL query's conditions (all terms of sequences and samples).
pub(crate) fn eql_mismatches(query: &eql::Query, schema: &Schema) -> Vec<TypeMismatch> {
    let mut found = Vec::new();
    for event in event_queries(query) {
        walk_eql(&event.condition, schema, &mut found);
    }
    found
}

fn walk_eql(expr: &eql::Expr, schema: &Schema, found: &mut Vec<TypeMismatch>) {
    match &expr.kind {
        ExprKind::Compare { op, lhs, rhs } => match (&lhs.kind, &rhs.kind) {
            (ExprKind::Field(field), ExprKind::Literal(literal))
            | (ExprKind::Literal(literal), ExprKind::Field(field)) => {
                compare(&field.name, *op, literal, expr.span, schema, found);
            }
            _ => {}
        },
        ExprKind::In { expr: tested, values, .. } => {
            if let ExprKind::Field(field) = &tested.kind
                && let Some((family, ty)) = family(schema, &field.name)
            {
                for value in values {
                    if let ExprKind::Literal(literal) = &value.kind
                        && let Some(what) = misfit(family, literal)
                    {
                        found.push(TypeMismatch::InList {
                            field: field.name.clone(),
                            ty: ty.clone(),
                            found: what,
                            span: value.span,
                        });
                    }
                }
            }
        }
        ExprKind::Not(inner) | ExprKind::Neg(inner) => walk_eql(inner, schema, found),
        ExprKind::And(items) | ExprKind::Or(items) => {
            for item in items {
                walk_eql(item, schema, found);
            }
        }
        ExprKind::Literal(_)
        | ExprKind::Field(_)
        | ExprKind::Arith { .. }
        | ExprKind::Match { .. }
        | ExprKind::Call { .. } => {}
    }
}

fn compare(
    field: &str,
    op: CompareOp,
    literal: &Literal,
    span: Span,
    schema: &Schema,
    found: &mut Vec<TypeMismatch>,
) {
    let Some((family, ty)) = family(schema, field) else { return };
    let range = !matches!(op, CompareOp::Eq | CompareOp::NotEq);
    if family == Family::Boolean && range {
        found.push(TypeMismatch::RangeOnBoolean { field: field.to_owned(), span });
    } else if let Some(what) = misfit(family, literal) {
        found.push(TypeMismatch::Comparison { field: field.to_owned(), ty, found: what, span });
    }
}

/// Every range on a boolean field in a KQL query (nested paths resolved).
pub(crate) fn kql_mismatches(query: &kql::Query, schema: &Schema) -> Vec<TypeMismatch> {
    let mut found = Vec::new();
    walk_kql(&query.root, "", schema, &mut found);
    found
}

fn walk_kql(node: &kql::Node, prefix: &str, schema: &Schema, found: &mut Vec<TypeMismatch>) {
    match &node.kind {
        NodeKind::Range { field, .. } => {
            if let FieldName::Exact(name) = &field.name {
                let name = format!("{prefix}{name}");
                if let Some((Family::Boolean, _)) = family(schema, &name) {
                    found.push(TypeMismatch::RangeOnBoolean { field: name, span: node.span });
                }
            }
        }
        NodeKind::Or(items) | NodeKind::And(items) => {
            for item in items {
                walk_kql(item, prefix, schema, found);
            }
        }
        NodeKind::Not(inner) => walk_kql(inner, prefix, schema, found),
        NodeKind::Nested { path, query } => {
            if let FieldName::Exact(path) = &path.name {
                walk_kql(query, &format!("{prefix}{path}."), schema, found);
            }
        }
        NodeKind::MatchAll | NodeKind::Field { .. } | NodeKind::FreeText(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eql(query: &str) -> Vec<String> {
        let schema = Schema::for_index_patterns(&[]);
        let query = eql_syntax::parse(query).expect("parses");
        eql_mismatches(&query, &schema).iter().map(ToString::to_string).collect()
    }

    fn kql(query: &str) -> Vec<String> {
        let schema = Schema::for_index_patterns(&[]);
        let query = kql_syntax::parse(query).expect("parses");
        kql_mismatches(&query, &schema).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn eql_comparisons_with_literals_of_another_type() {
        assert_eq!(
            eql("process where process.name == 5"),
            ["[process.name] is a keyword field, compared with a number"]
        );
        assert_eq!(
            eql(r#"process where "x" != process.pid"#),
            ["[process.pid] is a long field, compared with a string"]
        );
        assert_eq!(
            eql("process where process.code_signature.trusted >= true"),
            ["range comparison on the boolean field [process.code_signature.trusted]"]
        );
        assert_eq!(
            eql(r#"network where source.ip == 5 or source.ip == "10.0.0.1""#),
            ["[source.ip] is a ip field, compared with a number"]
        );
        assert_eq!(
            eql(r#"sequence [process where process.pid in (1, "a", null)] [file where true]"#),
            ["`in` list element is a string, but [process.pid] is a long field"]
        );
    }

    #[test]
    fn fitting_unknown_and_optional_fields_are_not_reported() {
        assert!(eql(r#"process where process.name == "a" and process.pid > 4"#).is_empty());
        assert!(eql("process where process.code_signature.trusted == false").is_empty());
        assert!(eql("process where process.name == null").is_empty());
        assert!(eql("process where made.up == 5 and ?other.field == 5").is_empty());
        assert!(eql(r#"process where @timestamp > "2024-01-01""#).is_empty());
    }

    #[test]
    fn kql_range_on_a_boolean() {
        assert_eq!(
            kql("process.code_signature.trusted > false and process.pid > 4"),
            ["range comparison on the boolean field [process.code_signature.trusted]"]
        );
        assert_eq!(
            kql("process:{ code_signature.trusted <= true }"),
            ["range comparison on the boolean field [process.code_signature.trusted]"]
        );
        assert!(kql("process.code_signature.trusted: true").is_empty());
    }
}
