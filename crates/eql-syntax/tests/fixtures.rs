//! Snapshot tests over `tests/fixtures`: the AST of every `ok/*.eql` (which must also
//! round-trip through `Display`), the rendered diagnostics of every `err/*.eql`. Each
//! snapshot is named after its fixture's stem.

use std::fs;
use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme};

/// The `.eql` files of one fixture directory, sorted.
fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixture directory exists")
        .map(|entry| entry.expect("directory entry is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// Runs `check` on each fixture with snapshots stored in `snapshots/<kind>/<stem>.snap`.
fn for_each_fixture(kind: &str, check: impl Fn(&str, &str)) {
    for path in fixtures(kind) {
        let stem =
            path.file_stem().and_then(|s| s.to_str()).expect("fixture names are UTF-8").to_owned();
        let text = fs::read_to_string(&path).expect("fixture is readable");
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_snapshot_path(format!("snapshots/{kind}"));
        settings.set_input_file(&path);
        settings.bind(|| check(&stem, &text));
    }
}

#[test]
fn ok_fixtures_parse_to_the_snapshot_ast_and_round_trip() {
    for_each_fixture("ok", |stem, text| {
        let query =
            eql_syntax::parse(text).unwrap_or_else(|errors| panic!("{stem}: {}", render(&errors)));
        let printed = query.to_string();
        let reparsed =
            eql_syntax::parse(&printed).unwrap_or_else(|e| panic!("{printed}\n{}", render(&e)));
        assert!(
            query.eq_ignoring_spans(&reparsed),
            "{stem}: round trip changed the tree:\n{printed}"
        );
        insta::assert_snapshot!(stem, format!("printed: {printed}\n\n{query:#?}"));
    });
}

#[test]
fn err_fixtures_render_the_snapshot_diagnostics() {
    for_each_fixture("err", |stem, text| {
        let Err(errors) = eql_syntax::parse(text) else { panic!("{stem} parsed without error") };
        insta::assert_snapshot!(stem, render(&errors));
    });
}

fn render(errors: &eql_syntax::ParseErrors) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, errors)
        .expect("rendering into a String cannot fail");
    out
}
