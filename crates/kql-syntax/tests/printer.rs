//! The printer escapes whatever Kibana's grammar would misread: hand-built values that no
//! simple query text gives must survive print + parse unchanged.

use kql_syntax::ast::{
    Field, FieldName, Node, NodeKind, Value, ValueExpr, ValueExprKind, ValueKind,
};
use kql_syntax::parse;
use rule_span::Span;

fn field_node(field: &str, kind: ValueKind) -> Node {
    let value = Value { kind, span: Span::default() };
    Node {
        kind: NodeKind::Field {
            field: Field {
                name: FieldName::Exact(field.into()),
                quoted: false,
                span: Span::default(),
            },
            values: ValueExpr { kind: ValueExprKind::Value(value), span: Span::default() },
        },
        span: Span::default(),
    }
}

/// `field:value or z:w`, so the value is followed by a keyword in the printed text.
fn in_context(node: Node) -> Node {
    let other = field_node("z", ValueKind::Unquoted("w".into()));
    Node { kind: NodeKind::Or(vec![node, other]), span: Span::default() }
}

/// (`null`, `true` and `false` are absent: Kibana reads those texts as JS values however
/// they are escaped, so no unquoted string can hold them.)
#[test]
fn tricky_unquoted_texts_survive() {
    let texts = [
        "knot tied",
        "a or b",
        "x and",
        "and y",
        "not",
        "NOT x",
        "kNoT",
        "a\tb",
        "a\u{a0}or\u{a0}b",
        "(x)",
        "x:y",
        "\"q\"",
        "back\\slash",
        "star*",
        "{}",
        "<=",
        "",
        "a\nb",
        "TRUE",
        "or",
        "a  or  b",
        "é or ü",
    ];
    for text in texts {
        for field in ["f", "and c", "not", "a b", "true", "x\\y"] {
            let node = in_context(field_node(field, ValueKind::Unquoted(text.into())));
            let printed = node.to_string();
            let parsed = parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {:?}", e.errors));
            assert!(
                parsed.root.eq_ignoring_spans(&node),
                "{field:?}:{text:?} printed as {printed:?} reads back as {}",
                parsed.to_sexpr()
            );
        }
    }
}

#[test]
fn tricky_quoted_texts_survive() {
    for text in ["a\"b", "c:\\temp", "\\q", "*", "line\nbreak\ttab\r", "\u{a0}", ""] {
        let node = in_context(field_node("f", ValueKind::Quoted(text.into())));
        let printed = node.to_string();
        let parsed = parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {:?}", e.errors));
        assert!(parsed.root.eq_ignoring_spans(&node), "{text:?} printed as {printed:?}");
    }
}
