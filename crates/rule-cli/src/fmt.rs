//! `warden fmt`: rewrites each rule file's query in the canonical layout (see `layout.rs`),
//! as a `'''` literal string, without touching any other byte of the file.
//!
//! EQL comments are kept: each is written back between the same two clauses, at the end of a
//! line or on a line of its own as in the query (see `layout/out.rs`).
//!
//! A rewrite is refused, with a diagnostic, when it would not be safe: a comment sits inside a
//! clause the layout writes whole, the laid-out query does not parse back to the same tree
//! (spans ignored) with the same comments in the same order, or it cannot be a `'''` literal
//! (it contains `'''` or a control character TOML forbids there).

use std::io::Write;
use std::path::Path;

use eql_syntax::Comment;
use miette::{Diagnostic, NamedSource, SourceSpan};
use rule_model::{Language, RuleFile};
use thiserror::Error;

use crate::args::FmtArgs;
use crate::layout::{self, Unplaced};
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::report::Style;
use crate::rule_paths::rule_paths;
use crate::{ExitStatus, UsageError};

/// Why a query was not rewritten.
#[derive(Debug, Error, Diagnostic)]
pub enum FmtError {
    /// An EQL comment sits inside a clause the layout writes whole (a comparison, a call,
    /// join keys), where it has no place to go.
    #[error("the query has a comment inside a clause, where formatting cannot keep it")]
    #[diagnostic(
        code(fmt::comment),
        help(
            "move the comment before or after the clause (between `and`/`or` clauses, list \
             values or sequence terms), then run fmt again"
        )
    )]
    Comment {
        /// The rule file.
        #[source_code]
        source_code: NamedSource<String>,
        /// The comment.
        #[label("comment")]
        span: SourceSpan,
    },

    /// The laid-out query does not read back as the same query with the same comments (a
    /// printer bug).
    #[error("the formatted query would not parse back to the same query and comments")]
    #[diagnostic(
        code(fmt::round_trip),
        help("the file was left as it is; please report this query to the Warden maintainers")
    )]
    RoundTrip {
        /// The rule file.
        #[source_code]
        source_code: NamedSource<String>,
        /// The query value.
        #[label("not formatted")]
        span: SourceSpan,
    },

    /// The laid-out query cannot be written between `'''` delimiters.
    #[error("the formatted query cannot be a ''' literal string: it contains {what}")]
    #[diagnostic(
        code(fmt::not_literal),
        help("rewrite the query without {what} (use an escape inside its string literal)")
    )]
    NotLiteral {
        /// `'''` or a control character.
        what: &'static str,
        /// The rule file.
        #[source_code]
        source_code: NamedSource<String>,
        /// The query value.
        #[label("not formatted")]
        span: SourceSpan,
    },
}

/// What formatting one rule file gives.
#[derive(Debug)]
pub enum Formatted {
    /// The query is already in the canonical layout.
    Unchanged,
    /// The whole new file text.
    Changed(String),
    /// The rule has no query warden can format (ES|QL, Lucene, machine learning).
    Skipped(&'static str),
}

/// Why a file could not be formatted: its own diagnostics (load or parse errors) or a
/// refusal, ready to render.
pub type FmtFailure = Box<dyn Diagnostic + Send + Sync>;

/// Formats the rule file `text` (named `name` in diagnostics).
pub fn format_rule_file(name: &str, text: &str) -> Result<Formatted, FmtFailure> {
    let file =
        RuleFile::parse(name, text).map_err(|failure| Box::new(failure.failure) as FmtFailure)?;
    let (Some(language), Some(query)) = (file.rule.language, &file.rule.query) else {
        return Ok(Formatted::Skipped("no query"));
    };
    let value = query.value_span.range();
    let refuse = |make: fn(NamedSource<String>, SourceSpan) -> FmtError| -> FmtFailure {
        Box::new(make(file.named_source(), value.clone().into()))
    };
    let parsed = match parse_query(language, &query.text) {
        QueryOutcome::Parsed(parsed) => parsed,
        QueryOutcome::Invalid(diagnostic) => {
            return Err(Box::new(OwnedQueryDiagnostic::new(&file, diagnostic.as_ref())));
        }
        QueryOutcome::NotSupported(Language::Esql) => return Ok(Formatted::Skipped("esql")),
        QueryOutcome::NotSupported(_) => return Ok(Formatted::Skipped("lucene")),
    };
    let comments = match parsed.as_ref() {
        ParsedQuery::Eql(_) => eql_comments(&query.text),
        ParsedQuery::Kql(_) => Vec::new(),
    };
    let laid_out = match parsed.as_ref() {
        ParsedQuery::Eql(ast) => layout::eql_query(&query.text, ast, &comments),
        ParsedQuery::Kql(ast) => layout::kql_query(ast),
    };
    let laid_out = match laid_out {
        Ok(laid_out) => laid_out,
        Err(Unplaced(comment)) => {
            let offset = file.query_offset().map_or(value.start, |o| o as usize);
            let span = (offset + comment.range().start..offset + comment.range().end).into();
            return Err(Box::new(FmtError::Comment { source_code: file.named_source(), span }));
        }
    };
    if !same_query(&parsed, &comments, &laid_out) {
        return Err(refuse(|source_code, span| FmtError::RoundTrip { source_code, span }));
    }
    if let Some(what) = literal_problem(&laid_out) {
        return Err(Box::new(FmtError::NotLiteral {
            what,
            source_code: file.named_source(),
            span: value.into(),
        }));
    }
    let literal = format!("'''\n{laid_out}\n'''");
    if text[value.clone()] == literal {
        return Ok(Formatted::Unchanged);
    }
    let new_text = format!("{}{literal}{}", &text[..value.start], &text[value.end..]);
    // The new file must read back with exactly the laid-out query.
    let reread = RuleFile::parse(name, new_text.as_str()).ok();
    if reread.as_ref().and_then(|f| f.rule.query_text()) != Some(&format!("{laid_out}\n")) {
        return Err(refuse(|source_code, span| FmtError::RoundTrip { source_code, span }));
    }
    Ok(Formatted::Changed(new_text))
}

/// The comments of an EQL query that parses.
fn eql_comments(query: &str) -> Vec<Comment> {
    eql_syntax::parse_with_comments(query).map(|(_, comments)| comments).unwrap_or_default()
}

/// True if `text` parses, in the language of `original`, to the same tree, with the same
/// comment texts in the same order.
fn same_query(original: &ParsedQuery, comments: &[Comment], text: &str) -> bool {
    match original {
        ParsedQuery::Eql(ast) => eql_syntax::parse_with_comments(text).is_ok_and(|(new, again)| {
            new.eq_ignoring_spans(ast)
                && again.iter().map(|c| &c.text).eq(comments.iter().map(|c| &c.text))
        }),
        ParsedQuery::Kql(ast) => {
            kql_syntax::parse(text).is_ok_and(|new| new.eq_ignoring_spans(ast))
        }
    }
}

/// Why `query` cannot sit between `'''` delimiters (TOML multi-line literal strings allow
/// no `'''` and no control character but tab and newline).
fn literal_problem(query: &str) -> Option<&'static str> {
    if query.contains("'''") {
        Some("'''")
    } else if query.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
        Some("a control character")
    } else {
        None
    }
}

/// A query diagnostic placed in its rule file, owning what it borrows, so that it can be
/// returned as a [`FmtFailure`].
#[derive(Debug, Error)]
#[error("{message}")]
struct OwnedQueryDiagnostic {
    message: String,
    code: Option<String>,
    help: Option<String>,
    source_code: NamedSource<String>,
    labels: Vec<miette::LabeledSpan>,
}

impl OwnedQueryDiagnostic {
    fn new(file: &RuleFile, inner: &(dyn Diagnostic + Send + Sync)) -> Self {
        let placed = file.query_diagnostic(inner);
        Self {
            message: inner.to_string(),
            code: inner.code().map(|c| c.to_string()),
            help: inner.help().map(|h| h.to_string()),
            source_code: file.named_source(),
            labels: placed.labels().map(Iterator::collect).unwrap_or_default(),
        }
    }
}

impl Diagnostic for OwnedQueryDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Counts of what `fmt` did.
#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    skipped: usize,
    failed: usize,
}

/// Runs `fmt`, writing reports to `out`.
pub(crate) fn fmt(args: &FmtArgs, out: &mut dyn Write) -> Result<ExitStatus, UsageError> {
    let paths = rule_paths(&args.paths)?;
    let style = Style::for_stdout();
    let mut tally = Tally::default();
    for path in &paths {
        let line = format_path(path, args.check, style, &mut tally)?;
        write!(out, "{line}").map_err(UsageError::Output)?;
    }
    let verb = if args.check { "would be reformatted" } else { "reformatted" };
    writeln!(
        out,
        "{} rule file(s): {} {verb}, {} unchanged, {} skipped, {} not formatted",
        paths.len(),
        tally.changed,
        tally.unchanged,
        tally.skipped,
        tally.failed
    )
    .map_err(UsageError::Output)?;
    let failed = tally.failed > 0 || (args.check && tally.changed > 0);
    Ok(if failed { ExitStatus::Failure } else { ExitStatus::Success })
}

/// Formats one file (writing it unless `check`), and says what happened.
fn format_path(
    path: &Path,
    check: bool,
    style: Style,
    tally: &mut Tally,
) -> Result<String, UsageError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|err| UsageError::Path { path: path.to_owned(), message: err.to_string() })?;
    Ok(match format_rule_file(&shown.to_string(), &text) {
        Ok(Formatted::Unchanged) => {
            tally.unchanged += 1;
            String::new()
        }
        Ok(Formatted::Skipped(why)) => {
            tally.skipped += 1;
            format!("skipped: {shown} ({why})\n")
        }
        Ok(Formatted::Changed(new_text)) => {
            tally.changed += 1;
            if check {
                format!("would reformat: {shown}\n")
            } else {
                std::fs::write(path, new_text).map_err(|err| UsageError::Path {
                    path: path.to_owned(),
                    message: err.to_string(),
                })?;
                format!("reformatted: {shown}\n")
            }
        }
        Err(diagnostic) => {
            tally.failed += 1;
            format!("{}\n", style.render(diagnostic.as_ref()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid rule file with `query`.
    fn rule(language: &str, query: &str) -> String {
        let kind = if language == "eql" { "eql" } else { "query" };
        format!(
            "[metadata]\ncreation_date = \"2024/01/01\"\nmaturity = \"production\"\n\
             updated_date = \"2024/01/01\"\n\n[rule]\nauthor = [\"Warden\"]\n\
             description = \"d\"\nindex = [\"logs-*\"]\nlanguage = \"{language}\"\n\
             license = \"Elastic License v2\"\nname = \"n\"\nrisk_score = 47\n\
             rule_id = \"9a1c7b3e-2d4f-4e6a-8b1c-444444444444\"\nseverity = \"medium\"\n\
             type = \"{kind}\"\nquery = \'\'\'\n{query}\n\'\'\'\n"
        )
    }

    fn formatted_query(text: &str) -> String {
        let Ok(Formatted::Changed(new_text)) = format_rule_file("r.toml", text) else {
            panic!("not reformatted: {text}");
        };
        RuleFile::parse("r.toml", new_text.as_str()).unwrap().rule.query_text().unwrap().to_owned()
    }

    #[test]
    fn eql_comments_are_kept() {
        let text = rule("eql", "process where a == 1 and // why\n b == 2 and /* and */ c == 3");
        assert_eq!(
            formatted_query(&text),
            "process where a == 1 and // why\n  b == 2 and /* and */\n  c == 3\n"
        );
    }

    #[test]
    fn a_comment_inside_a_clause_is_refused_at_the_comment() {
        let text = rule("eql", "process where a /* x */ == 1");
        let Err(failure) = format_rule_file("r.toml", &text) else { panic!("formatted") };
        assert_eq!(failure.code().unwrap().to_string(), "fmt::comment");
        let label = failure.labels().unwrap().next().unwrap();
        assert_eq!(&text[label.offset()..label.offset() + label.len()], "/* x */");
    }

    #[test]
    fn kql_control_characters_stay_escaped() {
        let text = rule("kuery", "f : \"\\u0000\"");
        assert_eq!(formatted_query(&text), "f:\"\\u0000\"\n");
    }

    #[test]
    fn literal_problems() {
        assert_eq!(literal_problem("a where b : \"'''\""), Some("'''"));
        assert_eq!(literal_problem("a\u{7}"), Some("a control character"));
        assert_eq!(literal_problem("a where\n\tb"), None);
    }
}
