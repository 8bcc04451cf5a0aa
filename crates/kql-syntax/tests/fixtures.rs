//! Snapshot tests over `tests/fixtures/{ok,err}/*.kql`: the AST (with Kibana's tree and the
//! printed query) for every accepted query, the rendered diagnostic for every rejected one.

use std::fmt::Write as _;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme};

/// The fixture text without the one newline that ends the file.
fn read_fixture(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    text.strip_suffix('\n').map(str::to_owned).unwrap_or(text)
}

#[test]
fn accepted_queries() {
    insta::glob!("fixtures/ok/*.kql", |path| {
        let text = read_fixture(path);
        let query = kql_syntax::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        let printed = query.to_string();
        let reparsed = kql_syntax::parse(&printed).expect("the printed query parses");
        assert!(reparsed.eq_ignoring_spans(&query), "round trip changed the tree: {printed}");
        let mut report = String::new();
        let _ = writeln!(report, "query:   {text:?}");
        let _ = writeln!(report, "printed: {printed:?}");
        let _ = writeln!(report, "kibana:  {}", query.to_sexpr());
        let _ = write!(report, "{:#?}", query.root);
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_path => "snapshots/ok" }, {
            insta::assert_snapshot!(report);
        });
    });
}

#[test]
fn rejected_queries() {
    insta::glob!("fixtures/err/*.kql", |path| {
        let text = read_fixture(path);
        let Err(errors) = kql_syntax::parse(&text) else {
            panic!("{text:?} should be rejected");
        };
        let mut report = String::new();
        let _ = writeln!(report, "query:  {text:?}");
        let kibana = errors.kibana_message.as_deref().unwrap_or("(none: a Warden limit)");
        let _ = writeln!(report, "kibana: {kibana}");
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(80)
            .render_report(&mut report, &errors)
            .expect("rendering to a String cannot fail");
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_path => "snapshots/err" }, {
            insta::assert_snapshot!(report);
        });
    });
}
