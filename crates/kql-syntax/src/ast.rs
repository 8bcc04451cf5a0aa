//! The typed KQL syntax tree: plain owned nodes, each carrying the [`Span`] of its source text.
//!
//! The shape follows Kibana's `grammar.peggy` (`kbn-es-query/src/kuery/grammar`): `and`/`or`
//! are n-ary and flat within one level, parentheses create a nested node but have no node of
//! their own, and only one `not` is allowed per level. Unlike Kibana's tree, a value list
//! (`f:(a or b)`) is kept as written in [`NodeKind::Field`]; [`crate::to_sexpr`] prints Kibana's
//! tree with the field distributed into every leaf.

use rule_span::Span;

/// A whole parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The query's root node ([`NodeKind::MatchAll`] for an empty query).
    pub root: Node,
    /// The whole query text, leading and trailing whitespace included.
    pub span: Span,
}

/// One query-level node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// The source text of the node (without surrounding parentheses).
    pub span: Span,
}

/// The kinds of query-level node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The empty (or all-whitespace) query; Kibana builds `is(*, *)`, which matches everything.
    MatchAll,
    /// `a or b or c`: at least two children, flat within one level.
    Or(Vec<Node>),
    /// `a and b and c`: at least two children, flat within one level.
    And(Vec<Node>),
    /// `not a`.
    Not(Box<Node>),
    /// `field:value` or `field:(a or b and not c)`, the value list kept as written.
    ///
    /// `field:*` is an existence test (a lone [`WildcardPart::Any`]); `*:*` matches
    /// everything. A field written as the unquoted literal `null` is [`FieldName::Null`]:
    /// Kibana then treats the values as free text.
    Field {
        /// The field name (or pattern).
        field: Field,
        /// The value or value list after the `:`.
        values: ValueExpr,
    },
    /// A value without a field (`foo`, `"foo bar"`, `foo*`): Kibana's `is(null, value)`,
    /// searched in every field.
    FreeText(Value),
    /// `field < value`, `field <= value`, `field > value`, `field >= value`.
    Range {
        /// The field name (or pattern).
        field: Field,
        /// The comparison.
        op: RangeOp,
        /// The bound: any literal (quoted, unquoted, even a wildcard or `null`).
        value: Value,
    },
    /// `path:{ query }`: the inner field names are relative to `path`.
    Nested {
        /// The nested field's path.
        path: Field,
        /// The query run on each nested object.
        query: Box<Node>,
    },
}

/// A range comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeOp {
    /// `<` (Kibana's `lt`).
    Lt,
    /// `<=` (Kibana's `lte`).
    Lte,
    /// `>` (Kibana's `gt`).
    Gt,
    /// `>=` (Kibana's `gte`).
    Gte,
}

impl RangeOp {
    /// The operator as written in KQL (`<`, `<=`, `>`, `>=`).
    pub const fn symbol(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }

    /// Kibana's name for the operator (`lt`, `lte`, `gt`, `gte`).
    pub const fn kibana_name(self) -> &'static str {
        match self {
            RangeOp::Lt => "lt",
            RangeOp::Lte => "lte",
            RangeOp::Gt => "gt",
            RangeOp::Gte => "gte",
        }
    }
}

/// A field name as written before `:`, a range operator or `{`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The decoded name.
    pub name: FieldName,
    /// True if the name was a quoted string (`"a b":c`).
    pub quoted: bool,
    /// The source text of the name (trailing whitespace excluded).
    pub span: Span,
}

/// The decoded name of a [`Field`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldName {
    /// An exact field name (escapes decoded, `*` in a quoted name is literal).
    ///
    /// The unquoted names `true` and `false` are JS booleans in Kibana's tree
    /// ([`crate::to_sexpr`] prints them bare); Elasticsearch sees them as field names
    /// `"true"`/`"false"`, so they stay exact names here.
    Exact(String),
    /// An unquoted name containing an unescaped `*` (`machine.os*`, `*`).
    Wildcard(Wildcard),
    /// The unquoted name `null` (lower case): Kibana's `is(null, value)`, i.e. the values
    /// are searched as free text, exactly like a [`NodeKind::FreeText`] node.
    Null,
}

/// A value expression after `field:`: one value, or a parenthesised value list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueExpr {
    /// What the expression is.
    pub kind: ValueExprKind,
    /// Its source text (without surrounding parentheses).
    pub span: Span,
}

/// The kinds of value expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueExprKind {
    /// `a or b`: at least two children.
    Or(Vec<ValueExpr>),
    /// `a and b`: at least two children.
    And(Vec<ValueExpr>),
    /// `not a`.
    Not(Box<ValueExpr>),
    /// A single value.
    Value(Value),
}

/// A literal value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Its source text (for an unquoted value, without the trimmed whitespace).
    pub span: Span,
}

/// The kinds of literal value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A quoted string (escapes decoded). Kibana sends it as a phrase query; `*` is literal.
    Quoted(String),
    /// An unquoted literal without wildcard (escapes decoded, trimmed). Numbers stay strings.
    Unquoted(String),
    /// An unquoted literal containing at least one unescaped `*`.
    Wildcard(Wildcard),
    /// The unquoted literal `null` (lower case only).
    Null,
    /// The unquoted literals `true` / `false` (lower case only).
    Bool(bool),
}

/// A wildcard pattern: `*` matches any run of characters (including none and newlines);
/// `?` is an ordinary character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wildcard {
    /// The pattern in order. Adjacent literal parts are merged; there are no empty literals.
    pub parts: Vec<WildcardPart>,
}

/// One piece of a [`Wildcard`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WildcardPart {
    /// Characters matched literally (an escaped `\*` is a literal `*`).
    Literal(String),
    /// An unescaped `*`: any run of characters.
    Any,
}

impl Wildcard {
    /// True if the pattern is a lone `*` (matches any value: an existence test).
    pub fn is_match_any(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, WildcardPart::Any)) && !self.parts.is_empty()
    }

    /// True if the pattern starts with `*` but is not a lone `*` (Kibana's
    /// "leading wildcard", refused when `allowLeadingWildcards` is off).
    pub fn has_leading_wildcard(&self) -> bool {
        matches!(self.parts.first(), Some(WildcardPart::Any)) && !self.is_match_any()
    }
}

impl Query {
    /// Kibana's tree for this query in the s-expression notation of
    /// `shared/conformance/kql/README.md`.
    pub fn to_sexpr(&self) -> String {
        crate::to_sexpr(&self.root)
    }

    /// True if both queries have the same tree, spans ignored.
    pub fn eq_ignoring_spans(&self, other: &Query) -> bool {
        self.root.eq_ignoring_spans(&other.root)
    }
}

impl Node {
    /// True if both nodes have the same tree, spans ignored.
    pub fn eq_ignoring_spans(&self, other: &Node) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.clear_spans();
        b.clear_spans();
        a == b
    }

    /// Sets every span in the tree to the empty span at 0.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            NodeKind::MatchAll => {}
            NodeKind::Or(children) | NodeKind::And(children) => {
                children.iter_mut().for_each(Node::clear_spans);
            }
            NodeKind::Not(child) => child.clear_spans(),
            NodeKind::Field { field, values } => {
                field.span = Span::default();
                values.clear_spans();
            }
            NodeKind::FreeText(value) => value.span = Span::default(),
            NodeKind::Range { field, value, .. } => {
                field.span = Span::default();
                value.span = Span::default();
            }
            NodeKind::Nested { path, query } => {
                path.span = Span::default();
                query.clear_spans();
            }
        }
    }
}

impl ValueExpr {
    /// Sets every span in the expression to the empty span at 0.
    pub fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            ValueExprKind::Or(children) | ValueExprKind::And(children) => {
                children.iter_mut().for_each(ValueExpr::clear_spans);
            }
            ValueExprKind::Not(child) => child.clear_spans(),
            ValueExprKind::Value(value) => value.span = Span::default(),
        }
    }
}
