//! How `run` prints alerts and `query` prints hits (`--format`): NDJSON, one JSON array, or
//! a table for people (width of the terminal, colour only on a terminal without `NO_COLOR`).

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, presets};
use rule_engine::fields::{first_value, scalar_text};
use rule_engine::{Alert, Hit};
use serde_json::Value;

use crate::args::OutputFormat;

/// How a table is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TableStyle {
    /// Colour the severity column.
    pub colour: bool,
    /// Wrap to this many columns; `None` leaves lines as long as they need.
    pub width: Option<u16>,
}

impl TableStyle {
    /// For standard output: the terminal's width and colour on a terminal (not with
    /// `NO_COLOR`); plain, unbounded lines when piped.
    pub(crate) fn for_stdout() -> Self {
        if !io::stdout().is_terminal() {
            return Self { colour: false, width: None };
        }
        let width = Table::new().width();
        Self { colour: std::env::var_os("NO_COLOR").is_none(), width }
    }
}

/// Writes the alerts' documents in `format`.
pub(crate) fn write_alerts(
    alerts: &[Alert],
    format: OutputFormat,
    style: TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Ndjson => write_lines(alerts.iter().map(|alert| &alert.document), out),
        OutputFormat::Json => write_array(alerts.iter().map(|alert| &alert.document), out),
        OutputFormat::Table => write!(out, "{}", alerts_table(alerts, style)),
    }
}

/// Writes the hits (`{"_index","_id","_source"}`) in `format`.
pub(crate) fn write_hits(
    hits: &[Hit],
    format: OutputFormat,
    style: TableStyle,
    out: &mut dyn Write,
) -> io::Result<()> {
    let documents = || hits.iter().map(Hit::to_json);
    match format {
        OutputFormat::Ndjson => write_lines(documents(), out),
        OutputFormat::Json => write_array(documents(), out),
        OutputFormat::Table => write!(out, "{}", hits_table(hits, style)),
    }
}

fn write_lines<V: std::borrow::Borrow<Value>>(
    documents: impl Iterator<Item = V>,
    out: &mut dyn Write,
) -> io::Result<()> {
    for document in documents {
        serde_json::to_writer(&mut *out, document.borrow()).map_err(io::Error::other)?;
        writeln!(out)?;
    }
    Ok(())
}

/// `[`, one document per line separated by commas, `]`: one JSON value, streamed.
fn write_array<V: std::borrow::Borrow<Value>>(
    documents: impl Iterator<Item = V>,
    out: &mut dyn Write,
) -> io::Result<()> {
    write!(out, "[")?;
    for (position, document) in documents.enumerate() {
        write!(out, "{}", if position == 0 { "\n" } else { ",\n" })?;
        serde_json::to_writer(&mut *out, document.borrow()).map_err(io::Error::other)?;
    }
    writeln!(out, "\n]")
}

fn new_table(style: TableStyle, header: &[&str]) -> Table {
    let mut table = Table::new();
    table.force_no_tty();
    if style.colour {
        table.enforce_styling();
    }
    if let Some(width) = style.width {
        table.set_width(width);
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_header(header.iter().copied());
    table
}

/// Time, rule name, severity and reason of each alert.
fn alerts_table(alerts: &[Alert], style: TableStyle) -> String {
    let mut table = new_table(style, &["time", "rule", "severity", "reason"]);
    for alert in &alerts_rows(alerts) {
        let severity = Cell::new(&alert[2]);
        let severity = match severity_colour(&alert[2]) {
            Some(colour) if style.colour => severity.fg(colour),
            _ => severity,
        };
        table.add_row(vec![
            Cell::new(&alert[0]),
            Cell::new(&alert[1]),
            severity,
            Cell::new(&alert[3]),
        ]);
    }
    keep_whole(&mut table, &[0, 2]);
    format!("{table}\n")
}

/// Never wraps these columns (times, severities): the others wrap to fit the width.
fn keep_whole(table: &mut Table, columns: &[usize]) {
    for &index in columns {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
}

/// The table's cells as text.
fn alerts_rows(alerts: &[Alert]) -> Vec<[String; 4]> {
    alerts
        .iter()
        .map(|alert| {
            let field = |name: &str| text(alert.document.get(name));
            [
                alert.time.map_or_else(|| "-".to_owned(), rule_engine::EventTime::to_iso_millis),
                field("kibana.alert.rule.name"),
                field("kibana.alert.severity"),
                field("kibana.alert.reason"),
            ]
        })
        .collect()
}

fn severity_colour(severity: &str) -> Option<Color> {
    match severity {
        "critical" => Some(Color::Magenta),
        "high" => Some(Color::Red),
        "medium" => Some(Color::Yellow),
        "low" => Some(Color::Blue),
        _ => None,
    }
}

/// Time, index, id, category and action of each hit.
fn hits_table(hits: &[Hit], style: TableStyle) -> String {
    let mut table =
        new_table(style, &["@timestamp", "_index", "_id", "event.category", "event.action"]);
    for hit in hits {
        let field = |name: &str| text(first_value(&hit.source, name));
        table.add_row(vec![
            field("@timestamp"),
            hit.index.clone(),
            hit.id.clone(),
            field("event.category"),
            field("event.action"),
        ]);
    }
    keep_whole(&mut table, &[0]);
    format!("{table}\n")
}

/// A value as cell text: scalars as they are, arrays joined with `, `, missing as `-`.
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::Array(items)) => {
            items.iter().map(|item| text(Some(item))).collect::<Vec<_>>().join(", ")
        }
        Some(other) => scalar_text(other).unwrap_or_else(|| other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alert(time: &str, name: &str, severity: &str) -> Alert {
        Alert {
            rule: 0,
            uuid: "u".to_owned(),
            time: rule_engine::EventTime::parse(time).ok(),
            document: json!({
                "kibana.alert.rule.name": name,
                "kibana.alert.severity": severity,
                "kibana.alert.reason": format!("file event with process a.exe created {severity} alert {name}."),
            }),
        }
    }

    fn render(format: OutputFormat, style: TableStyle) -> String {
        let alerts = [
            alert("2025-07-10T09:00:07Z", "Job", "medium"),
            alert("2025-07-10T10:00:02Z", "Task", "low"),
        ];
        let mut out = Vec::new();
        write_alerts(&alerts, format, style, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    const PLAIN: TableStyle = TableStyle { colour: false, width: None };

    #[test]
    fn ndjson_and_json_hold_the_same_documents() {
        let lines: Vec<Value> = render(OutputFormat::Ndjson, PLAIN)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let array: Value = serde_json::from_str(&render(OutputFormat::Json, PLAIN)).unwrap();
        assert_eq!(Value::Array(lines), array);
        let mut empty = Vec::new();
        write_alerts(&[], OutputFormat::Json, PLAIN, &mut empty).unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&empty).unwrap(), json!([]));
    }

    #[test]
    fn table_plain_and_narrow() {
        let plain = render(OutputFormat::Table, PLAIN);
        assert!(!plain.contains('\u{1b}'));
        insta::assert_snapshot!("alerts_table_plain", plain);
        let narrow = render(OutputFormat::Table, TableStyle { colour: false, width: Some(60) });
        assert!(narrow.lines().all(|line| line.chars().count() <= 60), "{narrow}");
        insta::assert_snapshot!("alerts_table_width_60", narrow);
    }

    #[test]
    fn table_colours_severity_only_when_asked() {
        let coloured = render(OutputFormat::Table, TableStyle { colour: true, width: None });
        assert!(coloured.contains('\u{1b}'));
    }
}
