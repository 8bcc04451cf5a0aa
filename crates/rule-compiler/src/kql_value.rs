//! KQL values matched by field type, as the queries Kibana sends behave in Elasticsearch
//! (kql.md §2.1 lowering table, §2.3 matching):
//!
//! * `keyword` (and unknown fields): `term` — exact, case-sensitive whole value; a wildcard
//!   value on a field mapped exactly `keyword` is a whole-value `wildcard` query;
//! * `text` / `match_only_text`: `match` (any analysed token) or, quoted, `match_phrase`;
//! * any field not mapped exactly `keyword` with a wildcard value: `query_string`, which
//!   splits the pattern on whitespace into OR'ed pieces (kibana#23001); a piece with `*` is a
//!   whole-value glob on keyword-family fields and a per-token glob on text fields;
//! * numeric: the value must be a number (`"01"` = 1), else ES fails the search: a compile
//!   error here; `ip`: an address or CIDR block; `boolean`: `true` / `false`;
//! * `date`: `[v, v]` with ES rounding of partial dates and date math ([`field_schema::DateMath`]);
//! * ranges: numeric, date, ip and version order by type; anything else compares text in byte
//!   order (`"9" > "10"` on a keyword).
//!
//! Free text is `multi_match` (lenient) over all fields: exact whole values on every event
//! leaf, plus token matching on every analysed field of the schema.

use field_schema::date_bound;
use kql_syntax::ast::{RangeOp, Value, ValueKind, WildcardPart};
use rule_span::Span;
use rule_vm::{
    Bound, CaseMode, CidrBlock, CmpOp, DateRange, GlobPart, IpRange, StrMatcher, Test, TokenQuery,
    Version, ip_key, parse_number,
};

use crate::cond::Cond;
use crate::error::CompileError;
use crate::kql::{KqlLowering, Scope, exact_text, wildcard_parts};
use crate::types::{FieldInfo, lookup};

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

/// Splits a wildcard pattern on whitespace, as `query_string` does with Kibana's escaped
/// value (whitespace is not escaped): each piece is a term or a wildcard, OR'ed.
fn query_string_pieces(parts: &[GlobPart]) -> Vec<Vec<GlobPart>> {
    let mut pieces = vec![Vec::new()];
    for part in parts {
        match part {
            GlobPart::Literal(text) => {
                let mut words = text.split(char::is_whitespace).peekable();
                while let Some(word) = words.next() {
                    if !word.is_empty() {
                        pieces
                            .last_mut()
                            .into_iter()
                            .for_each(|p| p.push(GlobPart::Literal(word.to_owned())));
                    }
                    if words.peek().is_some() {
                        pieces.push(Vec::new());
                    }
                }
            }
            other => pieces.last_mut().into_iter().for_each(|p| p.push(other.clone())),
        }
    }
    pieces.retain(|piece| !piece.is_empty());
    pieces
}

/// The literal text of a piece without wildcards.
fn piece_text(piece: &[GlobPart]) -> Option<String> {
    piece
        .iter()
        .map(|part| match part {
            GlobPart::Literal(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// A glob for analysed tokens: the pattern lower-cased, as `query_string` normalises a
/// wildcard term on a text field.
fn token_glob(piece: &[GlobPart]) -> TokenQuery {
    let lowered: Vec<GlobPart> = piece
        .iter()
        .map(|part| match part {
            GlobPart::Literal(text) => GlobPart::Literal(text.to_lowercase()),
            other => other.clone(),
        })
        .collect();
    TokenQuery::TokenGlob(StrMatcher::new(&lowered, CaseMode::Sensitive))
}

/// Which rounding each range operator uses (ES "Range query › Date math and rounding").
fn rounds_up(op: RangeOp) -> bool {
    matches!(op, RangeOp::Gt | RangeOp::Lte)
}

fn cmp_op(op: RangeOp) -> CmpOp {
    match op {
        RangeOp::Lt => CmpOp::Lt,
        RangeOp::Lte => CmpOp::Le,
        RangeOp::Gt => CmpOp::Gt,
        RangeOp::Gte => CmpOp::Ge,
    }
}

impl KqlLowering<'_> {
    fn matcher_test(&mut self, matcher: StrMatcher) -> Test {
        Test::Matches { matcher: self.builder.add_matcher(matcher) }
    }

    fn token_test(&mut self, query: TokenQuery) -> Test {
        Test::Tokens { query: self.builder.add_token_query(query) }
    }

    fn bad_value(&mut self, info: &FieldInfo, value: &str, expected: &str, span: Span) -> Cond {
        self.errors.push(CompileError::BadValueForType {
            field: info.read_path.clone(),
            ty: info.type_name().to_owned(),
            value: value.to_owned(),
            expected: expected.to_owned(),
            span,
        });
        Cond::Const(false)
    }

    /// `f:v` on one typed field.
    pub(crate) fn typed_value(&mut self, info: &FieldInfo, value: &Value, scope: &Scope) -> Cond {
        let span = value.span;
        match &value.kind {
            ValueKind::Wildcard(w) if w.is_match_any() => {
                self.field_leaf(info, scope, Test::Exists, span)
            }
            ValueKind::Wildcard(w) if info.is_plain_keyword() => {
                let test = self
                    .matcher_test(StrMatcher::new(&wildcard_parts(&w.parts), CaseMode::Sensitive));
                self.field_leaf(info, scope, test, span)
            }
            ValueKind::Wildcard(w) => {
                let pieces = query_string_pieces(&wildcard_parts(&w.parts));
                let conds = pieces
                    .iter()
                    .map(|piece| match piece_text(piece) {
                        Some(text) => self.exact_value(info, &text, false, scope, span),
                        None => self.wildcard_piece(info, piece, scope, span),
                    })
                    .collect();
                Cond::or(conds)
            }
            _ => {
                let quoted = matches!(value.kind, ValueKind::Quoted(_));
                let text = exact_text(value).unwrap_or_default().to_owned();
                self.exact_value(info, &text, quoted, scope, span)
            }
        }
    }

    fn wildcard_piece(
        &mut self,
        info: &FieldInfo,
        piece: &[GlobPart],
        scope: &Scope,
        span: Span,
    ) -> Cond {
        if info.is_analyzed() {
            let test = self.token_test(token_glob(piece));
            self.field_leaf(info, scope, test, span)
        } else if info.is_keyword_like() {
            let test = self.matcher_test(StrMatcher::new(piece, CaseMode::Sensitive));
            self.field_leaf(info, scope, test, span)
        } else {
            self.errors.push(CompileError::WildcardOnNonString {
                field: info.read_path.clone(),
                ty: info.type_name().to_owned(),
                span,
            });
            Cond::Const(false)
        }
    }

    /// A value without wildcards on one typed field (`term`, `match`, `match_phrase`, or the
    /// `[v, v]` range of a date field).
    fn exact_value(
        &mut self,
        info: &FieldInfo,
        literal: &str,
        quoted: bool,
        scope: &Scope,
        span: Span,
    ) -> Cond {
        if let Some((format, nanos)) = info.date() {
            let format = format.clone();
            let low = date_bound(literal, &format, self.now, false);
            let high = date_bound(literal, &format, self.now, true);
            return match (low, high) {
                (Ok(low), Ok(high)) => {
                    let range = DateRange {
                        format,
                        nanos,
                        lower: Some((low, true)),
                        upper: Some((high, true)),
                    };
                    let test = Test::Date { range: self.builder.add_date_range(range) };
                    self.field_leaf(info, scope, test, span)
                }
                (Err(message), _) | (_, Err(message)) => self.bad_date(info, message, span),
            };
        }
        let Some(ty) = info.ty.clone() else {
            let test = self.matcher_test(StrMatcher::exact(literal, CaseMode::Sensitive));
            return self.field_leaf(info, scope, test, span);
        };
        let test = if ty.is_analyzed() {
            self.token_test(if quoted {
                TokenQuery::phrase(literal)
            } else {
                TokenQuery::any_token(literal)
            })
        } else if ty.is_numeric() {
            if parse_number(literal).is_none() {
                return self.bad_value(info, literal, "number", span);
            }
            Test::Compare {
                op: CmpOp::Eq,
                bound: self.builder.add_bound(Bound::from_text(literal.trim())),
            }
        } else if ty == field_schema::FieldType::Ip {
            let Some(block) = CidrBlock::parse(literal) else {
                return self.bad_value(info, literal, "IP address or CIDR block", span);
            };
            Test::Cidr { cidrs: self.builder.add_cidrs(vec![block]) }
        } else if ty == field_schema::FieldType::Boolean {
            if literal != "true" && literal != "false" {
                return self.bad_value(info, literal, "boolean (true or false)", span);
            }
            self.matcher_test(StrMatcher::exact(literal, CaseMode::Sensitive))
        } else {
            self.matcher_test(StrMatcher::exact(literal, CaseMode::Sensitive))
        };
        self.field_leaf(info, scope, test, span)
    }

    fn bad_date(&mut self, info: &FieldInfo, message: String, span: Span) -> Cond {
        self.errors.push(CompileError::BadDate { field: info.read_path.clone(), message, span });
        Cond::Const(false)
    }

    /// `f < v` (and the other range operators) on one typed field.
    pub(crate) fn typed_range(
        &mut self,
        info: &FieldInfo,
        op: RangeOp,
        value: &Value,
        scope: &Scope,
        span: Span,
    ) -> Cond {
        let literal = bound_text(value);
        if let Some((format, nanos)) = info.date() {
            let format = format.clone();
            let at = match date_bound(&literal, &format, self.now, rounds_up(op)) {
                Ok(at) => at,
                Err(message) => return self.bad_date(info, message, value.span),
            };
            let (lower, upper) = match op {
                RangeOp::Gt => (Some((at, false)), None),
                RangeOp::Gte => (Some((at, true)), None),
                RangeOp::Lt => (None, Some((at, false))),
                RangeOp::Lte => (None, Some((at, true))),
            };
            let test = Test::Date {
                range: self.builder.add_date_range(DateRange { format, nanos, lower, upper }),
            };
            return self.field_leaf(info, scope, test, span);
        }
        let ty = info.ty.clone();
        let test = match ty {
            Some(ty) if ty.is_numeric() => {
                if parse_number(&literal).is_none() {
                    return self.bad_value(info, &literal, "number", value.span);
                }
                Test::Compare {
                    op: cmp_op(op),
                    bound: self.builder.add_bound(Bound::from_text(literal.trim())),
                }
            }
            Some(field_schema::FieldType::Ip) => {
                let Ok(ip) = literal.trim().parse::<std::net::IpAddr>() else {
                    return self.bad_value(info, &literal, "IP address", value.span);
                };
                let key = ip_key(ip);
                let (lower, upper) = match op {
                    RangeOp::Gt => (Some((key, false)), None),
                    RangeOp::Gte => (Some((key, true)), None),
                    RangeOp::Lt => (None, Some((key, false))),
                    RangeOp::Lte => (None, Some((key, true))),
                };
                Test::IpRange { range: self.builder.add_ip_range(IpRange { lower, upper }) }
            }
            Some(field_schema::FieldType::Version) => Test::Version {
                op: cmp_op(op),
                bound: self.builder.add_version(Version::parse(&literal)),
            },
            _ => self.text_compare(op, value),
        };
        self.field_leaf(info, scope, test, span)
    }

    /// A range that compares literal in byte order (keyword semantics).
    pub(crate) fn text_compare(&mut self, op: RangeOp, value: &Value) -> Test {
        let bound = Bound { text: bound_text(value).into(), number: None, integer: None };
        Test::Compare { op: cmp_op(op), bound: self.builder.add_bound(bound) }
    }

    /// The keyword test of a value (event-field targets).
    pub(crate) fn keyword_test(&mut self, value: &Value) -> Test {
        match &value.kind {
            ValueKind::Wildcard(w) if w.is_match_any() => Test::Exists,
            ValueKind::Wildcard(w) => {
                self.matcher_test(StrMatcher::new(&wildcard_parts(&w.parts), CaseMode::Sensitive))
            }
            _ => self.matcher_test(StrMatcher::exact(
                exact_text(value).unwrap_or_default(),
                CaseMode::Sensitive,
            )),
        }
    }

    /// The analysed fields of the schema (free text's token half), one per source path.
    fn analyzed_fields(&self) -> Vec<FieldInfo> {
        let Some(schema) = self.schema else { return Vec::new() };
        let mut seen = std::collections::BTreeSet::new();
        schema
            .iter()
            .filter(|(_, spec)| spec.ty.is_analyzed())
            .filter_map(|(path, _)| lookup(schema, path))
            .filter(|info| seen.insert(info.read_path.clone()))
            .collect()
    }

    /// Free text: `multi_match` (exact values, or `query_string` pieces for a wildcard)
    /// over every field, lenient.
    pub(crate) fn free_text(&mut self, value: &Value, scope: &Scope) -> Cond {
        let span = value.span;
        let analyzed = self.analyzed_fields();
        match &value.kind {
            ValueKind::Wildcard(w) if w.is_match_any() => Cond::Const(true),
            ValueKind::Wildcard(w) => {
                let pieces = query_string_pieces(&wildcard_parts(&w.parts));
                let mut conds = Vec::new();
                for piece in &pieces {
                    if let Some(text) = piece_text(piece) {
                        conds.push(self.free_exact(&text, false, &analyzed, scope, span));
                        continue;
                    }
                    let test = self.matcher_test(StrMatcher::new(piece, CaseMode::Sensitive));
                    conds.push(self.any_field_leaf(None, test, span));
                    let tokens = self.token_test(token_glob(piece));
                    for info in &analyzed {
                        conds.push(self.field_leaf(info, scope, tokens, span));
                    }
                }
                Cond::or(conds)
            }
            _ => {
                let quoted = matches!(value.kind, ValueKind::Quoted(_));
                let text = exact_text(value).unwrap_or_default().to_owned();
                self.free_exact(&text, quoted, &analyzed, scope, span)
            }
        }
    }

    fn free_exact(
        &mut self,
        text: &str,
        quoted: bool,
        analyzed: &[FieldInfo],
        scope: &Scope,
        span: Span,
    ) -> Cond {
        let exact = self.matcher_test(StrMatcher::exact(text, CaseMode::Sensitive));
        let mut conds = vec![self.any_field_leaf(None, exact, span)];
        if !analyzed.is_empty() {
            let query = if quoted { TokenQuery::phrase(text) } else { TokenQuery::any_token(text) };
            let tokens = self.token_test(query);
            for info in analyzed {
                conds.push(self.field_leaf(info, scope, tokens, span));
            }
        }
        // Lenient `multi_match`: numeric fields parse the text as a number ("1" finds 1.0).
        if parse_number(text).is_some() {
            let bound = self.builder.add_bound(Bound::from_text(text.trim()));
            let numeric = Test::Compare { op: CmpOp::Eq, bound };
            conds.push(self.any_field_leaf(None, numeric, span));
        }
        Cond::or(conds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Vec<GlobPart>]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| {
                p.iter()
                    .map(|g| match g {
                        GlobPart::Literal(t) => t.clone(),
                        GlobPart::AnyRun => "*".into(),
                        GlobPart::AnyChar => "?".into(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn query_string_splits_on_whitespace() {
        let parts = vec![
            GlobPart::Literal("foo bar".into()),
            GlobPart::AnyRun,
            GlobPart::Literal(" baz".into()),
        ];
        assert_eq!(show(&query_string_pieces(&parts)), ["foo", "bar*", "baz"]);
        assert_eq!(
            show(&query_string_pieces(&[GlobPart::AnyRun, GlobPart::Literal("$".into())])),
            ["*$"]
        );
    }
}
