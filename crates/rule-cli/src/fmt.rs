//! `warden fmt`: rewrites each rule file's query in the canonical layout (see `layout.rs`),
//! as a `'''` literal string, without touching any other byte of the file.
//!
//! A rewrite is refused, with a diagnostic, when it would not be safe: the query has EQL
//! comments (the printer drops them), the laid-out query does not parse back to the same
//! tree (spans ignored), or it cannot be a `'''` literal (it contains `'''` or a control
//! character TOML forbids there).

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use miette::{Diagnostic, NamedSource, SourceSpan};
use rule_model::{Language, RuleFile};
use thiserror::Error;

use crate::args::FmtArgs;
use crate::layout;
use crate::query::{ParsedQuery, QueryOutcome, parse_query};
use crate::report::Style;
use crate::rule_paths::rule_paths;
use crate::{ExitStatus, UsageError};

/// Why a query was not rewritten.
#[derive(Debug, Error, Diagnostic)]
pub enum FmtError {
    /// The EQL query has a `//` or `/* */` comment, which the layout would drop.
    #[error("the query has a comment, which formatting would drop")]
    #[diagnostic(
        code(fmt::comment),
        help("move the comment into the rule's `note` or `description`, then run fmt again")
    )]
    Comment {
        /// The rule file.
        #[source_code]
        source_code: NamedSource<String>,
        /// The comment.
        #[label("comment")]
        span: SourceSpan,
    },

    /// The laid-out query does not read back as the same query (a printer bug).
    #[error("the formatted query would not parse back to the same query")]
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
    if let ParsedQuery::Eql(_) = parsed.as_ref()
        && let Some(comment) = eql_comment(&query.text)
    {
        let offset = file.query_offset().map_or(value.start, |o| o as usize);
        let span = (offset + comment.start..offset + comment.end).into();
        return Err(Box::new(FmtError::Comment { source_code: file.named_source(), span }));
    }
    let laid_out = match parsed.as_ref() {
        ParsedQuery::Eql(ast) => layout::eql_query(ast),
        ParsedQuery::Kql(ast) => layout::kql_query(ast),
    };
    if !same_query(&parsed, &laid_out) {
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

/// True if `text` parses, in the language of `original`, to the same tree.
fn same_query(original: &ParsedQuery, text: &str) -> bool {
    match original {
        ParsedQuery::Eql(ast) => {
            eql_syntax::parse(text).is_ok_and(|new| new.eq_ignoring_spans(ast))
        }
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

/// The first `//` or `/*` comment of an EQL query, outside strings and quoted field names
/// (the lexical rules of `grammar/eql.pest` and `grammar/common.pest`).
pub(crate) fn eql_comment(query: &str) -> Option<Range<usize>> {
    let bytes = query.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &query[at..];
        if let Some(raw) = rest.strip_prefix("\"\"\"") {
            at += raw.find("\"\"\"").map_or(rest.len(), |e| e + 6);
        } else if bytes[at] == b'"' {
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
        } else if bytes[at] == b'`' {
            at += 1 + rest[1..].find('`').map_or(rest.len(), |e| e + 1);
        } else if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            return Some(at..at + end);
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            return Some(at..at + end);
        } else {
            at += 1;
        }
    }
    None
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

    #[test]
    fn finds_comments_outside_strings() {
        assert_eq!(eql_comment("a where b // c"), Some(10..14));
        assert_eq!(eql_comment("a where /* x */ b"), Some(8..15));
        assert_eq!(eql_comment(r#"a where b : "//x\"//" and `//`.c : """/*"""#), None);
        assert_eq!(eql_comment("a where b : \"x\" /* open"), Some(16..23));
    }

    #[test]
    fn literal_problems() {
        assert_eq!(literal_problem("a where b : \"'''\""), Some("'''"));
        assert_eq!(literal_problem("a\u{7}"), Some("a control character"));
        assert_eq!(literal_problem("a where\n\tb"), None);
    }
}
