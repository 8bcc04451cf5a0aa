//! Rendering diagnostics: miette's graphical report for people, flat findings for JSON.

use std::io::{self, IsTerminal, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, SourceSpan};
use serde::Serialize;

/// How to draw graphical reports.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    colour: bool,
    width: usize,
}

impl Style {
    /// Colour only on a terminal (and not with `NO_COLOR`); width 80 unless the terminal says
    /// otherwise.
    pub fn for_stdout() -> Self {
        let terminal = io::stdout().is_terminal();
        let colour = terminal && std::env::var_os("NO_COLOR").is_none();
        Self { colour, width: 80 }
    }

    /// Like [`Style::for_stdout`], for reports written to standard error.
    pub fn for_stderr() -> Self {
        let terminal = io::stderr().is_terminal();
        let colour = terminal && std::env::var_os("NO_COLOR").is_none();
        Self { colour, width: 80 }
    }

    /// No colour, width 80: the snapshot style.
    pub const fn plain() -> Self {
        Self { colour: false, width: 80 }
    }

    /// Renders `diagnostic` as miette's graphical report.
    pub fn render(self, diagnostic: &dyn Diagnostic) -> String {
        let theme =
            if self.colour { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(self.width);
        if handler.render_report(&mut out, diagnostic).is_err() {
            out = format!("{diagnostic}\n");
        }
        out
    }

    /// Writes the rendered report to `out`.
    pub fn write(self, out: &mut dyn Write, diagnostic: &dyn Diagnostic) -> io::Result<()> {
        writeln!(out, "{}", self.render(diagnostic))
    }
}

/// One problem, flattened for machine output.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// `error`, `warning` or `advice`.
    pub severity: &'static str,
    /// The stable code (`rule::bad_from`, `eql::syntax`, ...).
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// 1-based line of the first label in the rule file (or the query, when it cannot be
    /// mapped into the file).
    pub line: Option<usize>,
    /// 1-based column of the first label.
    pub column: Option<usize>,
    /// 1-based line where the first label ends (SARIF output only).
    #[serde(skip)]
    pub end_line: Option<usize>,
    /// 1-based column just after the first label (SARIF output only).
    #[serde(skip)]
    pub end_column: Option<usize>,
    /// How to fix it (SARIF output only).
    #[serde(skip)]
    pub help: Option<String>,
}

/// Flattens `diagnostic` into findings: its leaves (related diagnostics replace an umbrella
/// without labels of its own; a labelled diagnostic stands for its related notes), each
/// located by its first label in its source (or `parent_source`).
pub fn findings(diagnostic: &dyn Diagnostic) -> Vec<Finding> {
    let mut out = Vec::new();
    collect(diagnostic, None, &mut out);
    out
}

fn collect<'a>(
    diagnostic: &'a dyn Diagnostic,
    parent_source: Option<&'a dyn miette::SourceCode>,
    out: &mut Vec<Finding>,
) {
    let source = diagnostic.source_code().or(parent_source);
    let related: Vec<&dyn Diagnostic> =
        diagnostic.related().map(Iterator::collect).unwrap_or_default();
    let labelled = diagnostic.labels().is_some_and(|mut labels| labels.next().is_some());
    if !related.is_empty() && !labelled {
        for child in related {
            collect(child, source, out);
        }
        return;
    }
    let first_label = diagnostic.labels().and_then(|mut labels| labels.next());
    let ((line, column), (end_line, end_column)) = match (first_label, source) {
        (Some(label), Some(source)) => {
            let end = SourceSpan::new((label.offset() + label.len()).into(), 0);
            (locate(source, *label.inner()), locate(source, end))
        }
        _ => ((None, None), (None, None)),
    };
    out.push(Finding {
        severity: match diagnostic.severity().unwrap_or(miette::Severity::Error) {
            miette::Severity::Error => "error",
            miette::Severity::Warning => "warning",
            miette::Severity::Advice => "advice",
        },
        code: diagnostic.code().map(|code| code.to_string()),
        message: diagnostic.to_string(),
        line,
        column,
        end_line,
        end_column,
        help: diagnostic.help().map(|help| help.to_string()),
    });
}

/// 1-based line and column of `span` in `source`.
fn locate(source: &dyn miette::SourceCode, span: SourceSpan) -> (Option<usize>, Option<usize>) {
    let at = SourceSpan::new(span.offset().into(), 0);
    match source.read_span(&at, 0, 0) {
        Ok(contents) => (Some(contents.line() + 1), Some(contents.column() + 1)),
        Err(_) => (None, None),
    }
}
