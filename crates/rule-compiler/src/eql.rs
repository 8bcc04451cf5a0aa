//! Lowers an EQL condition to a [`Cond`] with Elasticsearch's semantics (eql.md §1.5
//! "Resolved"): the `where` clause is a Lucene query, so leaves on plain fields are two-valued
//! predicates (`==` → term, `!=` → `must_not` term, `:` → case-insensitive term or wildcard,
//! `like` → wildcard, `regex` → regexp, `in` → terms, `<`… → range, `== null` → `must_not`
//! exists), `not` is `must_not` for every child, and anything else — functions that cannot be
//! pushed down, arithmetic, comparisons whose side is computed — is a three-valued script whose
//! null result is false for that leaf.

use std::collections::BTreeSet;

use crate::cond::{Cond, DebugSpan};
use crate::constant::Constants;
use crate::error::{CompileError, CompileWarning};
use crate::func_args;
use crate::lucene_regex::{self, RegexError};
use crate::types::{FieldInfo, lookup, lookup_exact, typed_leaf};
use eql_syntax::ast::{self, CompareOp, Expr, ExprKind, FieldRef, Literal, MatchOp};
use field_schema::Schema;
use jiff::Timestamp;
use rule_sequence::{DateKey, JoinKey};
use rule_span::Span;
use rule_vm::{
    ArithOp, Bound, CaseMode, CidrBlock, CmpOp, Constant, FieldTable, Func, GlobPart, Instr,
    LogicOp, ProgramBuilder, StrMatcher, Test, ValueSet, glob_parts,
};

/// Lowering state for one program.
pub(crate) struct EqlLowering<'c> {
    pub(crate) fields: &'c mut FieldTable,
    pub(crate) builder: ProgramBuilder,
    pub(crate) errors: &'c mut Vec<CompileError>,
    pub(crate) warnings: &'c mut Vec<CompileWarning>,
    /// Unknown names already warned about (one warning per name per statement).
    pub(crate) warned: &'c mut BTreeSet<String>,
    /// The mapping; `None` compiles without types.
    pub(crate) schema: Option<&'c Schema>,
    /// The mappings of single indices (date join keys).
    pub(crate) index_schemas: &'c [(field_schema::IndexPatterns, Schema)],
    /// The clock of date math.
    pub(crate) now: Timestamp,
    /// The conditions that lowered to a constant.
    pub(crate) constants: Constants,
}

/// String types for `:`, `like`, `regex` and the string functions (ES `isString`: the
/// keyword family and text); unknown fields pass.
fn is_string_field(info: &FieldInfo) -> bool {
    info.ty.as_ref().is_none_or(|ty| ty.is_string_like() || ty.is_analyzed())
}

type Script = Vec<(Instr, DebugSpan)>;

pub(crate) fn debug_span(span: Span) -> DebugSpan {
    (span.start, span.end)
}

fn as_field(e: &Expr) -> Option<&FieldRef> {
    match &e.kind {
        ExprKind::Field(f) => Some(f),
        _ => None,
    }
}

fn as_literal(e: &Expr) -> Option<&Literal> {
    match &e.kind {
        ExprKind::Literal(l) => Some(l),
        _ => None,
    }
}

/// True if the expression reads an event field anywhere.
fn has_field(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => false,
        ExprKind::Field(_) => true,
        ExprKind::Not(x) | ExprKind::Neg(x) => has_field(x),
        ExprKind::And(xs) | ExprKind::Or(xs) => xs.iter().any(has_field),
        ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
            has_field(lhs) || has_field(rhs)
        }
        ExprKind::In { expr, values, .. } => has_field(expr) || values.iter().any(has_field),
        ExprKind::Match { expr, patterns, .. } => has_field(expr) || patterns.iter().any(has_field),
        ExprKind::Call { args, .. } => args.iter().any(has_field),
    }
}

pub(crate) fn cmp_op(op: CompareOp) -> CmpOp {
    match op {
        CompareOp::Eq => CmpOp::Eq,
        CompareOp::NotEq => CmpOp::Ne,
        CompareOp::Lt => CmpOp::Lt,
        CompareOp::LtEq => CmpOp::Le,
        CompareOp::Gt => CmpOp::Gt,
        CompareOp::GtEq => CmpOp::Ge,
    }
}

/// The operator with its operands swapped (`1 < x` is `x > 1`).
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::LtEq => CompareOp::GtEq,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::GtEq => CompareOp::LtEq,
        other => other,
    }
}

fn literal_text(lit: &Literal) -> Option<String> {
    match lit {
        Literal::Null => None,
        Literal::Bool(b) => Some(b.to_string()),
        Literal::Int(i) => Some(i.to_string()),
        Literal::Float(f) => Some(f.to_string()),
        Literal::String(s) => Some(s.clone()),
    }
}

fn constant(lit: &Literal) -> Constant {
    match lit {
        Literal::Null => Constant::Null,
        Literal::Bool(b) => Constant::Bool(*b),
        Literal::Int(i) => Constant::Int(*i),
        Literal::Float(f) => Constant::Float(*f),
        Literal::String(s) => Constant::Str(s.as_str().into()),
    }
}

/// A wildcard pattern as Lucene's `WildcardQuery` reads it: `*`, `?`, and `\` escaping the
/// next char (used for pushed-down `endsWith`/`stringContains`, whose literal ES puts into the
/// pattern unescaped, eql.md §1.5).
fn lucene_wildcard_parts(text: &str) -> Vec<GlobPart> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let wildcard = match c {
            '*' => Some(GlobPart::AnyRun),
            '?' => Some(GlobPart::AnyChar),
            '\\' => {
                literal.push(chars.next().unwrap_or('\\'));
                None
            }
            other => {
                literal.push(other);
                None
            }
        };
        if let Some(part) = wildcard {
            if !literal.is_empty() {
                parts.push(GlobPart::Literal(std::mem::take(&mut literal)));
            }
            parts.push(part);
        }
    }
    if !literal.is_empty() {
        parts.push(GlobPart::Literal(literal));
    }
    parts
}

impl EqlLowering<'_> {
    fn error(&mut self, error: CompileError) -> Cond {
        self.errors.push(error);
        Cond::Const(false)
    }

    /// The schema's view of a field (unknown: read as named, with a warning once).
    fn info(&mut self, f: &FieldRef, span: Span) -> FieldInfo {
        let Some(schema) = self.schema else { return FieldInfo::unknown(&f.name) };
        lookup_exact(schema, &f.name).unwrap_or_else(|| {
            if !f.optional && self.warned.insert(f.name.clone()) {
                self.warnings.push(CompileWarning::UnknownField { name: f.name.clone(), span });
            }
            FieldInfo::unknown(&f.name)
        })
    }

    fn leaf(&mut self, f: &FieldRef, test: Test, span: Span) -> Cond {
        let info = self.info(f, span);
        self.info_leaf(&info, test, span)
    }

    fn info_leaf(&mut self, info: &FieldInfo, test: Test, span: Span) -> Cond {
        let field = self.fields.intern(&info.read_path);
        typed_leaf(&self.builder, field, info, test, debug_span(span))
    }

    /// Rejects a non-string field under a string operator or function, as ES's verifier does.
    fn require_string(&mut self, f: &FieldRef, what: &str, span: Span) -> bool {
        let info = self.info(f, span);
        if is_string_field(&info) {
            return true;
        }
        let help = matches!(what, ":" | "like" | "like~")
            .then(|| "consider using [==] instead".to_owned());
        self.errors.push(CompileError::FieldType {
            what: what.to_owned(),
            expected: "string".into(),
            field: f.name.clone(),
            ty: info.type_name().to_owned(),
            help,
            span,
        });
        false
    }

    /// Lowers a `where` clause. Optional fields are read from the event whatever the schema
    /// says (see `optional.rs`).
    pub(crate) fn where_clause(&mut self, e: &Expr) -> Cond {
        self.condition(e)
    }

    /// A join key, alias resolved; date keys carry their per-index formats.
    pub(crate) fn join_key(&mut self, f: &FieldRef) -> JoinKey {
        let info = self.info(f, Span { start: 0, end: 0 });
        let date = info.date().map(|(format, _)| DateKey {
            format: format.clone(),
            per_index: self
                .index_schemas
                .iter()
                .filter_map(|(index, schema)| {
                    let own = lookup(schema, &f.name)?;
                    Some((index.clone(), own.date()?.0.clone()))
                })
                .collect(),
        });
        JoinKey {
            field: self.fields.intern(&info.read_path),
            name: f.name.clone(),
            optional: f.optional,
            date,
        }
    }

    fn matcher(&mut self, matcher: StrMatcher) -> Test {
        Test::Matches { matcher: self.builder.add_matcher(matcher) }
    }

    /// The category test `category_field == "cat"` (a term query: exact, case-sensitive).
    pub(crate) fn category(&mut self, field: &str, category: &str, span: Span) -> Cond {
        let path = self
            .schema
            .and_then(|schema| lookup(schema, field))
            .map_or_else(|| field.to_owned(), |info| info.read_path);
        let field = self.fields.intern(&path);
        let test = self.matcher(StrMatcher::exact(category, CaseMode::Sensitive));
        Cond::Leaf(Instr::Test { field, test }, debug_span(span))
    }

    /// Lowers a `where` condition, noting it if it is constant.
    pub(crate) fn condition(&mut self, e: &Expr) -> Cond {
        let cond = self.lower_condition(e);
        self.constants.note(debug_span(e.span), &cond);
        cond
    }

    fn lower_condition(&mut self, e: &Expr) -> Cond {
        let span = debug_span(e.span);
        match &e.kind {
            ExprKind::Literal(Literal::Bool(b)) => Cond::Const(*b),
            ExprKind::Literal(Literal::Null) => Cond::Const(false),
            ExprKind::Literal(_) | ExprKind::Arith { .. } | ExprKind::Neg(_) => {
                self.error(CompileError::NotACondition { span: e.span })
            }
            // A bare (boolean) field as a condition: `field == true`.
            ExprKind::Field(f) => {
                let test = self.matcher(StrMatcher::exact("true", CaseMode::Sensitive));
                self.leaf(f, test, e.span)
            }
            // Reads no field: folded to its value, as Elasticsearch's `ConstantFolding` does.
            ExprKind::Not(_)
            | ExprKind::And(_)
            | ExprKind::Or(_)
            | ExprKind::Compare { .. }
            | ExprKind::In { .. }
            | ExprKind::Match { .. }
            | ExprKind::Call { .. }
                if !has_field(e) =>
            {
                self.folded_condition(e)
            }
            ExprKind::Not(inner) => {
                let inner = self.condition(inner);
                Cond::not(inner, span)
            }
            ExprKind::And(xs) => {
                let conds = xs.iter().map(|x| self.condition(x)).collect();
                Cond::and(conds)
            }
            ExprKind::Or(xs) => {
                let conds = xs.iter().map(|x| self.condition(x)).collect();
                Cond::or(conds)
            }
            ExprKind::Compare { op, lhs, rhs } => self.compare(*op, lhs, rhs, e.span),
            ExprKind::In { expr, values, negated, case_insensitive } => {
                let cond = self.membership(expr, values, *case_insensitive, e.span);
                if *negated { Cond::not(cond, span) } else { cond }
            }
            ExprKind::Match { expr, op, case_insensitive, patterns } => {
                self.pattern_match(expr, *op, *case_insensitive, patterns, e.span)
            }
            ExprKind::Call { case_insensitive, args, .. } => {
                self.call_condition(*case_insensitive, args, e)
            }
        }
    }

    fn compare(&mut self, op: CompareOp, lhs: &Expr, rhs: &Expr, span: Span) -> Cond {
        if has_field(lhs) && has_field(rhs) && !self.optional_comparison(lhs, rhs) {
            return self.error(CompileError::FieldComparison { span });
        }
        match (as_field(lhs), as_literal(rhs), as_literal(lhs), as_field(rhs)) {
            (Some(f), Some(lit), _, _) => self.field_vs_literal(f, op, lit, span),
            (_, _, Some(lit), Some(f)) => self.field_vs_literal(f, flip(op), lit, span),
            _ => {
                let mut script = Script::new();
                let compare = Expr {
                    kind: ExprKind::Compare {
                        op,
                        lhs: Box::new(lhs.clone()),
                        rhs: Box::new(rhs.clone()),
                    },
                    span,
                };
                self.value(&compare, &mut script);
                script.push((Instr::ScriptEnd, debug_span(span)));
                Cond::Script(script)
            }
        }
    }

    fn field_vs_literal(&mut self, f: &FieldRef, op: CompareOp, lit: &Literal, span: Span) -> Cond {
        let dspan = debug_span(span);
        match (op, lit) {
            // ES Optimizer.ReplaceNullChecks: `x == null` is IsNull (must_not exists).
            (CompareOp::Eq, Literal::Null) => {
                let exists = self.leaf(f, Test::Exists, span);
                Cond::not(exists, dspan)
            }
            (CompareOp::NotEq, Literal::Null) => self.leaf(f, Test::Exists, span),
            (_, Literal::Null) => Cond::Const(false),
            _ if self.typed_compare_applies(f, span) => self.typed_compare(f, op, lit, span),
            (CompareOp::Eq, _) => self.equals(f, lit, span),
            (CompareOp::NotEq, _) => {
                let eq = self.equals(f, lit, span);
                Cond::not(eq, dspan)
            }
            (op, lit) => {
                let bound = match lit {
                    // A string literal orders as text (range on a keyword field).
                    Literal::String(s) => {
                        Bound { text: s.as_str().into(), number: None, integer: None }
                    }
                    other => Bound::from_text(&literal_text(other).unwrap_or_default()),
                };
                let bound = self.builder.add_bound(bound);
                self.leaf(f, Test::Compare { op: cmp_op(op), bound }, span)
            }
        }
    }

    fn typed_compare_applies(&mut self, f: &FieldRef, span: Span) -> bool {
        let info = self.info(f, span);
        info.date().is_some()
            || matches!(
                info.ty,
                Some(field_schema::FieldType::Version | field_schema::FieldType::Ip)
            )
    }

    /// A comparison on a date, version or ip field: a range (or `[v, v]`) read by type.
    fn typed_compare(&mut self, f: &FieldRef, op: CompareOp, lit: &Literal, span: Span) -> Cond {
        let info = self.info(f, span);
        let literal = literal_text(lit).unwrap_or_default();
        let test = if let Some((format, nanos)) = info.date() {
            let format = format.clone();
            let bound = |up: bool| field_schema::date_bound(&literal, &format, self.now, up);
            let (low, high) = match (bound(false), bound(true)) {
                (Ok(low), Ok(high)) => (low, high),
                (Err(message), _) | (_, Err(message)) => {
                    return self.error(CompileError::BadDate {
                        field: f.name.clone(),
                        message,
                        span,
                    });
                }
            };
            let (lower, upper) = match op {
                CompareOp::Eq | CompareOp::NotEq => (Some((low, true)), Some((high, true))),
                CompareOp::Lt => (None, Some((low, false))),
                CompareOp::LtEq => (None, Some((high, true))),
                CompareOp::Gt => (Some((high, false)), None),
                CompareOp::GtEq => (Some((low, true)), None),
            };
            let range = rule_vm::DateRange { format, nanos, lower, upper };
            Test::Date { range: self.builder.add_date_range(range) }
        } else if info.ty == Some(field_schema::FieldType::Version) {
            let bound = self.builder.add_version(rule_vm::Version::parse(&literal));
            let cmp = if op == CompareOp::NotEq { CmpOp::Eq } else { cmp_op(op) };
            Test::Version { op: cmp, bound }
        } else if matches!(op, CompareOp::Eq | CompareOp::NotEq) {
            let Some(block) = CidrBlock::parse(&literal) else {
                return self.error(CompileError::BadCidr { text: literal, span });
            };
            Test::Cidr { cidrs: self.builder.add_cidrs(vec![block]) }
        } else {
            let Ok(ip) = literal.trim().parse::<std::net::IpAddr>() else {
                return self.error(CompileError::BadCidr { text: literal, span });
            };
            let key = rule_vm::ip_key(ip);
            let (lower, upper) = match op {
                CompareOp::Lt => (None, Some((key, false))),
                CompareOp::LtEq => (None, Some((key, true))),
                CompareOp::Gt => (Some((key, false)), None),
                _ => (Some((key, true)), None),
            };
            Test::IpRange { range: self.builder.add_ip_range(rule_vm::IpRange { lower, upper }) }
        };
        let leaf = self.info_leaf(&info, test, span);
        if op == CompareOp::NotEq { Cond::not(leaf, debug_span(span)) } else { leaf }
    }

    /// `field == literal` as a term query: strings and booleans by literal (case-sensitive),
    /// numbers numerically (or by literal against a non-numeric value, QA
    /// `optionalNoDocsFieldNumericEquality`).
    fn equals(&mut self, f: &FieldRef, lit: &Literal, span: Span) -> Cond {
        let test = match lit {
            Literal::String(s) => self.matcher(StrMatcher::exact(s, CaseMode::Sensitive)),
            Literal::Bool(b) => {
                self.matcher(StrMatcher::exact(&b.to_string(), CaseMode::Sensitive))
            }
            other => {
                let bound = self
                    .builder
                    .add_bound(Bound::from_text(&literal_text(other).unwrap_or_default()));
                Test::Compare { op: CmpOp::Eq, bound }
            }
        };
        self.leaf(f, test, span)
    }

    fn membership(&mut self, expr: &Expr, values: &[Expr], ci: bool, span: Span) -> Cond {
        let case = CaseMode::insensitive_if(ci);
        let mut literals = Vec::with_capacity(values.len());
        for value in values {
            match as_literal(value) {
                Some(lit) => literals.push(lit),
                None if has_field(value) => {
                    return self.error(CompileError::FieldComparison { span });
                }
                None => {
                    return self.error(CompileError::BadOperand {
                        operator: "`in`".into(),
                        expected: "constant values".into(),
                        span: value.span,
                    });
                }
            }
        }
        if let Some(f) = as_field(expr) {
            let strings: Vec<&str> = literals
                .iter()
                .filter_map(|lit| match lit {
                    Literal::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let mut conds = Vec::new();
            if !strings.is_empty() {
                let set = self.builder.add_set(ValueSet::new(strings, case));
                conds.push(self.leaf(f, Test::InSet { set }, span));
            }
            for lit in literals.iter().filter(|lit| !matches!(lit, Literal::String(_))) {
                let cond = self.field_vs_literal(f, CompareOp::Eq, lit, span);
                conds.push(cond);
            }
            return Cond::or(conds);
        }
        // A computed value: one script testing set membership of its text.
        let texts: Vec<String> = literals.iter().filter_map(|lit| literal_text(lit)).collect();
        let set = self.builder.add_set(ValueSet::new(texts, case));
        let mut script = Script::new();
        self.value(expr, &mut script);
        script.push((Instr::ScriptTest(Test::InSet { set }), debug_span(span)));
        script.push((Instr::ScriptEnd, debug_span(span)));
        Cond::Script(script)
    }

    /// The tests for `:`, `like`, `regex` patterns (exact patterns merged into one set).
    fn pattern_tests(&mut self, op: MatchOp, ci: bool, patterns: &[Expr]) -> Vec<Test> {
        let case = CaseMode::insensitive_if(ci || op == MatchOp::Colon);
        let mut exact = Vec::new();
        let mut tests = Vec::new();
        for pattern in patterns {
            let Some(Literal::String(text)) = as_literal(pattern) else {
                let error = match op {
                    MatchOp::Colon => CompileError::ColonNonString { span: pattern.span },
                    MatchOp::Like | MatchOp::Regex => CompileError::BadOperand {
                        operator: if op == MatchOp::Like { "`like`" } else { "`regex`" }.into(),
                        expected: "string constants".into(),
                        span: pattern.span,
                    },
                };
                self.errors.push(error);
                continue;
            };
            match op {
                MatchOp::Colon | MatchOp::Like => {
                    let parts = glob_parts(text, true);
                    if let [GlobPart::Literal(lit)] = parts.as_slice() {
                        exact.push(lit.clone());
                    } else if parts.is_empty() {
                        exact.push(String::new());
                    } else {
                        tests.push(self.matcher(StrMatcher::new(&parts, case)));
                    }
                }
                MatchOp::Regex => {
                    if let Some(regex_test) = self.regex(text, ci, pattern.span) {
                        tests.push(regex_test);
                    }
                }
            }
        }
        match exact.len() {
            0 => {}
            1 => tests.insert(0, self.matcher(StrMatcher::exact(&exact[0], case))),
            _ => tests
                .insert(0, Test::InSet { set: self.builder.add_set(ValueSet::new(exact, case)) }),
        }
        tests
    }

    fn regex(&mut self, text: &str, ci: bool, span: Span) -> Option<Test> {
        let translated = match lucene_regex::translate(text, ci) {
            Ok(t) => t,
            Err(error) => {
                self.errors.push(match error {
                    RegexError::InvalidClass(letter) => {
                        CompileError::RegexClass { escape: format!("\\{letter}"), span }
                    }
                    RegexError::Unsupported(what) => CompileError::Unsupported {
                        what: format!("Lucene regex with {what}"),
                        span,
                    },
                    RegexError::Syntax(message) => CompileError::BadRegex { message, span },
                });
                return None;
            }
        };
        match regex::Regex::new(&translated) {
            Ok(re) => Some(Test::Regex { regex: self.builder.add_regex(re) }),
            Err(e) => {
                self.errors.push(CompileError::BadRegex { message: e.to_string(), span });
                None
            }
        }
    }

    fn pattern_match(
        &mut self,
        expr: &Expr,
        op: MatchOp,
        ci: bool,
        patterns: &[Expr],
        span: Span,
    ) -> Cond {
        if patterns.iter().any(has_field) {
            return self.error(CompileError::FieldComparison { span });
        }
        if let Some(f) = as_field(expr) {
            let what = match (op, ci) {
                (MatchOp::Colon, _) => ":",
                (MatchOp::Like, false) => "like",
                (MatchOp::Like, true) => "like~",
                (MatchOp::Regex, false) => "regex",
                (MatchOp::Regex, true) => "regex~",
            };
            if !self.require_string(f, what, expr.span) {
                return Cond::Const(false);
            }
            let tests = self.pattern_tests(op, ci, patterns);
            let conds = tests.into_iter().map(|test| self.leaf(f, test, span)).collect();
            return Cond::or(conds);
        }
        let tests = self.pattern_tests(op, ci, patterns);
        let conds = tests
            .into_iter()
            .map(|test| {
                let mut script = Script::new();
                self.value(expr, &mut script);
                script.push((Instr::ScriptTest(test), debug_span(span)));
                script.push((Instr::ScriptEnd, debug_span(span)));
                Cond::Script(script)
            })
            .collect();
        Cond::or(conds)
    }

    /// Resolves and checks a function call; `None` after reporting an error.
    fn resolve(&mut self, call: &Expr) -> Option<Func> {
        let ExprKind::Call { name, case_insensitive: ci, args } = &call.kind else { return None };
        let func = self.resolve_name(name, *ci, args.len(), call.span)?;
        if let Some((index, expected, found)) = func_args::mistyped_argument(func, args) {
            self.errors.push(CompileError::ArgumentType {
                position: func_args::ordinal(index).to_owned(),
                call: call.to_string(),
                expected: expected.to_owned(),
                argument: args[index].to_string(),
                found: found.name().to_owned(),
                span: args[index].span,
            });
            return None;
        }
        Some(func)
    }

    /// Looks a function up by name and checks its `~` and argument count.
    fn resolve_name(
        &mut self,
        name: &ast::FunctionName,
        ci: bool,
        argc: usize,
        span: Span,
    ) -> Option<Func> {
        let Some(func) = Func::from_name(&name.name) else {
            self.errors
                .push(CompileError::UnknownFunction { name: name.name.clone(), span: name.span });
            return None;
        };
        if ci && !func.has_insensitive_variant() {
            self.errors.push(CompileError::NoInsensitiveVariant {
                name: func.name().into(),
                span: name.span,
            });
            return None;
        }
        let (min, max) = func.arity();
        if argc < min || max.is_some_and(|max| argc > max) {
            let expected = match max {
                Some(max) if max == min => min.to_string(),
                Some(max) => format!("{min} to {max}"),
                None => format!("at least {min}"),
            };
            self.errors.push(CompileError::WrongArity {
                name: func.name().into(),
                expected,
                got: argc,
                span,
            });
            return None;
        }
        Some(func)
    }

    fn call_condition(&mut self, ci: bool, args: &[Expr], e: &Expr) -> Cond {
        let Some(func) = self.resolve(e) else {
            return Cond::Const(false);
        };
        let case = CaseMode::insensitive_if(ci);
        let rest: Option<Vec<&str>> = args
            .iter()
            .skip(1)
            .map(|a| match as_literal(a) {
                Some(Literal::String(s)) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        // Push-down as plain queries (EQL QueryTranslator): first argument a field, the
        // rest string literals.
        if let Some(f) = args.first().and_then(as_field) {
            let info = self.info(f, args[0].span);
            let wrong = match func {
                Func::StartsWith
                | Func::EndsWith
                | Func::StringContains
                | Func::Between
                | Func::IndexOf
                | Func::Length
                | Func::Substring => (!is_string_field(&info)).then_some("string"),
                Func::CidrMatch => info
                    .ty
                    .as_ref()
                    .is_some_and(|ty| *ty != field_schema::FieldType::Ip)
                    .then_some("ip"),
                _ => None,
            };
            if let Some(expected) = wrong {
                return self.error(CompileError::FieldType {
                    what: func.name().to_owned(),
                    expected: expected.to_owned(),
                    field: f.name.clone(),
                    ty: info.type_name().to_owned(),
                    help: None,
                    span: args[0].span,
                });
            }
        }
        if let (Some(f), Some(rest)) = (args.first().and_then(as_field), rest) {
            let test = match (func, rest.as_slice()) {
                (Func::StartsWith, [prefix]) => {
                    Some(self.matcher(StrMatcher::prefix(prefix, case)))
                }
                (Func::EndsWith, [suffix]) => {
                    let mut parts = vec![GlobPart::AnyRun];
                    parts.extend(lucene_wildcard_parts(suffix));
                    Some(self.matcher(StrMatcher::new(&parts, case)))
                }
                (Func::StringContains, [needle]) => {
                    let mut parts = vec![GlobPart::AnyRun];
                    parts.extend(lucene_wildcard_parts(needle));
                    parts.push(GlobPart::AnyRun);
                    Some(self.matcher(StrMatcher::new(&parts, case)))
                }
                (Func::CidrMatch, blocks) => {
                    let mut parsed = Vec::with_capacity(blocks.len());
                    for (text, arg) in blocks.iter().zip(&args[1..]) {
                        match CidrBlock::parse(text) {
                            Some(block) => parsed.push(block),
                            None => {
                                return self.error(CompileError::BadCidr {
                                    text: (*text).to_owned(),
                                    span: arg.span,
                                });
                            }
                        }
                    }
                    Some(Test::Cidr { cidrs: self.builder.add_cidrs(parsed) })
                }
                _ => None,
            };
            if let Some(test) = test {
                return self.leaf(f, test, e.span);
            }
        }
        let mut script = Script::new();
        self.value(e, &mut script);
        script.push((Instr::ScriptEnd, debug_span(e.span)));
        Cond::Script(script)
    }

    /// Emits stack code pushing the value of `e`.
    pub(crate) fn value(&mut self, e: &Expr, out: &mut Script) {
        let span = debug_span(e.span);
        match &e.kind {
            ExprKind::Literal(lit) => {
                let c = self.builder.add_constant(constant(lit));
                out.push((Instr::PushConst(c), span));
            }
            ExprKind::Field(f) => {
                let info = self.info(f, e.span);
                out.push((Instr::PushField(self.fields.intern(&info.read_path)), span));
            }
            ExprKind::Call { case_insensitive, args, .. } => {
                let Some(func) = self.resolve(e) else {
                    return;
                };
                for arg in args {
                    self.value(arg, out);
                }
                let argc = u8::try_from(args.len()).unwrap_or(u8::MAX);
                out.push((Instr::Call { func, argc, case_insensitive: *case_insensitive }, span));
            }
            ExprKind::Arith { op, lhs, rhs } => {
                self.value(lhs, out);
                self.value(rhs, out);
                let op = match op {
                    ast::ArithOp::Add => ArithOp::Add,
                    ast::ArithOp::Sub => ArithOp::Sub,
                    ast::ArithOp::Mul => ArithOp::Mul,
                    ast::ArithOp::Div => ArithOp::Div,
                    ast::ArithOp::Mod => ArithOp::Rem,
                };
                out.push((Instr::Arith(op), span));
            }
            ExprKind::Neg(x) => {
                self.value(x, out);
                out.push((Instr::Arith(ArithOp::Neg), span));
            }
            ExprKind::Compare { op, lhs, rhs } => {
                if has_field(lhs) && has_field(rhs) {
                    if self.optional_comparison(lhs, rhs) {
                        self.null_safe_compare(*op, lhs, rhs, span, out);
                    } else {
                        self.errors.push(CompileError::FieldComparison { span: e.span });
                    }
                    return;
                }
                let null_side = match (as_literal(lhs), as_literal(rhs)) {
                    (_, Some(Literal::Null)) => Some(lhs),
                    (Some(Literal::Null), _) => Some(rhs),
                    _ => None,
                };
                if let (Some(other), CompareOp::Eq | CompareOp::NotEq) = (null_side, op) {
                    self.value(other, out);
                    out.push((Instr::IsNull, span));
                    if *op == CompareOp::NotEq {
                        let f = self.builder.add_constant(Constant::Bool(false));
                        out.push((Instr::PushConst(f), span));
                        out.push((Instr::Cmp(CmpOp::Eq), span));
                    }
                } else {
                    self.value(lhs, out);
                    self.value(rhs, out);
                    out.push((Instr::Cmp(cmp_op(*op)), span));
                }
            }
            ExprKind::In { expr, values, negated, case_insensitive } => {
                let texts: Vec<String> =
                    values.iter().filter_map(as_literal).filter_map(literal_text).collect();
                if texts.len() != values.len() {
                    self.errors.push(CompileError::Unsupported {
                        what: "`in` with non-constant or null values inside an expression".into(),
                        span: e.span,
                    });
                    return;
                }
                let set = self
                    .builder
                    .add_set(ValueSet::new(texts, CaseMode::insensitive_if(*case_insensitive)));
                self.value(expr, out);
                out.push((Instr::ScriptTest(Test::InSet { set }), span));
                if *negated {
                    out.push((Instr::Logic(LogicOp::Not), span));
                }
            }
            ExprKind::Match { expr, op, case_insensitive, patterns } => {
                // A list of patterns is an `or` of one test per pattern (eql.md §1.3).
                let tests = self.pattern_tests(*op, *case_insensitive, patterns);
                for (index, test) in tests.iter().enumerate() {
                    self.value(expr, out);
                    out.push((Instr::ScriptTest(*test), span));
                    if index > 0 {
                        out.push((Instr::Logic(LogicOp::Or), span));
                    }
                }
            }
            ExprKind::Not(x) => {
                self.value(x, out);
                out.push((Instr::Logic(LogicOp::Not), span));
            }
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                let op =
                    if matches!(e.kind, ExprKind::And(_)) { LogicOp::And } else { LogicOp::Or };
                for (index, x) in xs.iter().enumerate() {
                    self.value(x, out);
                    if index > 0 {
                        out.push((Instr::Logic(op), span));
                    }
                }
            }
        }
    }

    /// A `not`/`and`/`or` that reads no field, folded to a constant the way Elasticsearch's
    /// `ConstantFolding` rule does before the query is translated: three-valued, so
    /// `not null` is null, and a null result filters everything out like `false` (eql.md §1.3,
    /// §1.5). Lowered leaf by leaf instead, `not null` would be `not false`, true.
    fn folded_condition(&mut self, e: &Expr) -> Cond {
        let pools = std::mem::take(&mut self.builder);
        let errors_before = self.errors.len();
        let mut script = Script::new();
        self.value(e, &mut script);
        let builder = std::mem::replace(&mut self.builder, pools);
        if self.errors.len() > errors_before {
            return Cond::Const(false);
        }
        match crate::fold::evaluate_script(builder, &script, self.fields) {
            Ok(value) => Cond::Const(value == rule_vm::ScriptValue::Bool(true)),
            Err(error) => {
                self.error(CompileError::Internal { message: error.to_string(), span: e.span })
            }
        }
    }
}
