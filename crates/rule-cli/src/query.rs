//! Parsing a rule's query with the parser of its language.

use miette::Diagnostic;
use rule_model::Language;

/// A parsed query, in either language.
#[derive(Debug)]
pub enum ParsedQuery {
    /// An EQL query.
    Eql(eql_syntax::ast::Query),
    /// A KQL query.
    Kql(kql_syntax::ast::Query),
}

/// The outcome of reading a query.
#[derive(Debug)]
pub enum QueryOutcome {
    /// It parsed.
    Parsed(Box<ParsedQuery>),
    /// It did not; the parser's diagnostic (spans relative to the query).
    Invalid(Box<dyn Diagnostic + Send + Sync>),
    /// Warden has no parser for this language.
    NotSupported(Language),
}

/// Parses `text` as `language`.
pub fn parse_query(language: Language, text: &str) -> QueryOutcome {
    match language {
        Language::Eql => match eql_syntax::parse(text) {
            Ok(query) => QueryOutcome::Parsed(Box::new(ParsedQuery::Eql(query))),
            Err(errors) => QueryOutcome::Invalid(Box::new(errors)),
        },
        Language::Kuery => match kql_syntax::parse(text) {
            Ok(query) => QueryOutcome::Parsed(Box::new(ParsedQuery::Kql(query))),
            Err(errors) => QueryOutcome::Invalid(Box::new(errors)),
        },
        Language::Lucene | Language::Esql => QueryOutcome::NotSupported(language),
    }
}
