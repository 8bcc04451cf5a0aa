//! The parse entry point: size and depth guards, the pest run, then the AST builder or the
//! error diagnosis.

mod brackets;
mod build;
mod diagnose;
pub(crate) mod literal;
mod pest;

use ::pest::Parser as _;
use rule_span::Span;

use self::brackets::structural_brackets;
use self::pest::{KqlPest, Rule};
use crate::ast::Query;
use crate::error::{KqlError, ParseErrors};

/// The deepest nesting of `(` and `{` accepted. Kibana has no limit, but pest recurses
/// once per level; real rules nest fewer than ten levels.
pub const MAX_DEPTH: usize = 64;

/// Parses a KQL query with Kibana's grammar (`allowLeadingWildcards` on, as in the
/// detection engine).
///
/// ```
/// let query = kql_syntax::parse("process.name : (cmd.exe or powershell.exe) and not user.name : *$")?;
/// assert_eq!(query.to_string(), "process.name:(cmd.exe or powershell.exe) and not user.name:*$");
/// # Ok::<(), kql_syntax::ParseErrors>(())
/// ```
pub fn parse(text: &str) -> Result<Query, ParseErrors> {
    if u32::try_from(text.len()).is_err() {
        return Err(failure(text, KqlError::TooLong { len: text.len() }, None));
    }
    if let Some(offset) = too_deep_at(text) {
        let error = KqlError::TooDeep {
            limit: MAX_DEPTH,
            span: Span::from_range(offset..offset + 1).into(),
        };
        return Err(failure(text, error, None));
    }
    match KqlPest::parse(Rule::start, text) {
        Ok(mut pairs) => {
            let whole = Span::from_range(0..text.len());
            let root = match pairs.next() {
                Some(start) => build::build_root(start, whole),
                None => crate::ast::Node { kind: crate::ast::NodeKind::MatchAll, span: whole },
            };
            Ok(Query { root, span: whole })
        }
        Err(error) => {
            let diagnosis = diagnose::diagnose(text, &error);
            Err(failure(text, diagnosis.error, Some(diagnosis.kibana_message)))
        }
    }
}

fn failure(text: &str, error: KqlError, kibana_message: Option<String>) -> ParseErrors {
    ParseErrors { source_code: text.to_owned(), errors: vec![error], kibana_message }
}

/// The offset of the first `(` or `{` nested deeper than [`MAX_DEPTH`], counting only
/// brackets outside quoted strings and not escaped. An over-estimate is harmless: it is only
/// compared with a limit no real query comes near.
fn too_deep_at(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, bracket) in structural_brackets(text) {
        if matches!(bracket, '(' | '{') {
            depth += 1;
            if depth > MAX_DEPTH {
                return Some(offset);
            }
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    None
}
