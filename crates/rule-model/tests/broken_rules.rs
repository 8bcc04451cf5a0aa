//! Rendered diagnostics for broken copies of the seed rules (cases in `broken_rules.toml`).

use std::path::PathBuf;

use miette::{GraphicalReportHandler, GraphicalTheme};
use rule_model::RuleFile;
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    rule: String,
    find: String,
    replace: String,
    /// The broken file still loads; snapshot its warnings.
    #[serde(default)]
    warning: bool,
}

fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, diagnostic)
        .expect("rendering into a String");
    out
}

#[test]
fn broken_seed_rules_render_diagnostics_in_place() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cases: Cases =
        toml::from_str(&std::fs::read_to_string(dir.join("tests/broken_rules.toml")).unwrap())
            .unwrap();
    assert!(cases.case.len() >= 10);
    for case in cases.case {
        let path = format!("rules/windows/{}.toml", case.rule);
        let original = std::fs::read_to_string(dir.join("../..").join(&path)).unwrap();
        assert_eq!(
            original.matches(&case.find).count(),
            1,
            "{}: `find` must occur once",
            case.name
        );
        let broken = original.replacen(&case.find, &case.replace, 1);
        let rendered = if case.warning {
            let file = RuleFile::parse(&path, broken).expect(&case.name);
            render(&file.warning_report().expect("warnings"))
        } else {
            let failure = RuleFile::parse(&path, broken).expect_err(&case.name);
            assert!(failure.failure.errors.iter().any(rule_model::RuleFileError::is_error));
            render(&failure.failure)
        };
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_suffix => "" }, {
            insta::assert_snapshot!(case.name.clone(), rendered);
        });
    }
}

#[test]
fn seed_rules_load() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules/windows");
    let eql = RuleFile::load(&dir.join("persistence_local_scheduled_job_creation.toml")).unwrap();
    assert!(eql.warnings().is_empty());
    assert_eq!(eql.rule.rule_id, "1327384f-00f3-44d5-9a8c-2373ba071e92");
    assert_eq!(eql.rule.index.len(), 6);
    assert_eq!(eql.rule.timestamp_override.as_deref(), Some("event.ingested"));
    assert_eq!(eql.rule.lookback().as_secs(), 9 * 60);
    assert_eq!(eql.rule.schedule().as_secs(), 5 * 60);
    assert_eq!(eql.rule.alerts_per_run(), 100);
    assert!(eql.rule.query_text().unwrap().starts_with("file where host.os.type == \"windows\""));
    let kql = RuleFile::load(&dir.join("persistence_scheduled_task_updated.toml")).unwrap();
    let new_terms = kql.rule.new_terms.as_ref().unwrap();
    assert_eq!(new_terms.fields, ["host.id", "winlog.event_data.TaskName"]);
    assert_eq!(new_terms.history_window.as_secs(), 14 * 86_400);
    assert_eq!(kql.rule.threat[0].techniques[0].subtechniques[0].id, "T1053.005");
    // The query's second line starts with `not` at column 1 of line 69 of the file.
    let query = kql.rule.query_text().unwrap();
    let not = u32::try_from(query.find("\nnot").unwrap() + 1).unwrap();
    let in_file = kql.query_span_in_file(rule_span::Span::new(not, not + 3)).unwrap();
    assert_eq!(&kql.text()[in_file.range()], "not");
    assert_eq!(rule_span::line_column(kql.text(), in_file.start as usize), (69, 1));
}
