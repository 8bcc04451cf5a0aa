//! Table-driven VM behaviour tests: every `cases/*.toml` file holds `[[test]]` rows, each a
//! single field predicate (built with the program builder, since the VM has no compiler) run
//! over a JSON event, with the expected outcome.

use rule_vm::{
    Bound, CaseMode, CidrBlock, CmpOp, EventView, FieldTable, Instr, ProgramBuilder, StrMatcher,
    Test, ValueSet, Vm,
};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct CaseFile {
    test: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The event as JSON text (TOML has no null).
    event: String,
    /// The field path; `*`-patterns with `op = "any_field_*"`; absent for free text.
    field: Option<String>,
    /// One of `exact`, `glob`, `kql_glob`, `in`, `eq`, `lt`, `le`, `gt`, `ge`, `regex`, `cidr`,
    /// `exists`, `free_text`.
    op: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    insensitive: bool,
    #[serde(default)]
    negate: bool,
    expect: bool,
}

fn build_test(case: &Case, b: &mut ProgramBuilder) -> Result<Test, String> {
    let mode = CaseMode::insensitive_if(case.insensitive);
    let test = match case.op.as_str() {
        "exact" | "free_text" => {
            Test::Matches { matcher: b.add_matcher(StrMatcher::exact(&case.value, mode)) }
        }
        "glob" => {
            Test::Matches { matcher: b.add_matcher(StrMatcher::glob(&case.value, true, mode)) }
        }
        "kql_glob" => {
            Test::Matches { matcher: b.add_matcher(StrMatcher::glob(&case.value, false, mode)) }
        }
        "in" => Test::InSet { set: b.add_set(ValueSet::new(&case.values, mode)) },
        "exists" => Test::Exists,
        "regex" => {
            let flags = if case.insensitive { "(?i)" } else { "" };
            let re = regex::Regex::new(&format!("{flags}^(?:{})$", case.value))
                .map_err(|e| e.to_string())?;
            Test::Regex { regex: b.add_regex(re) }
        }
        "cidr" => {
            let blocks: Option<Vec<CidrBlock>> =
                case.values.iter().map(|v| CidrBlock::parse(v)).collect();
            Test::Cidr { cidrs: b.add_cidrs(blocks.ok_or("bad cidr")?) }
        }
        op => {
            let op = match op {
                "eq" => CmpOp::Eq,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                other => return Err(format!("unknown op {other}")),
            };
            Test::Compare { op, bound: b.add_bound(Bound::from_text(&case.value)) }
        }
    };
    Ok(test)
}

fn run_case(case: &Case) -> Result<bool, String> {
    let mut fields = FieldTable::new();
    let mut b = ProgramBuilder::new();
    let test = build_test(case, &mut b)?;
    let instr = match (&case.field, case.op.as_str()) {
        (None, _) => Instr::TestAnyField { paths: None, test },
        (Some(f), _) if f.contains('*') => {
            let paths = b.add_matcher(StrMatcher::glob(f, false, CaseMode::Sensitive));
            Instr::TestAnyField { paths: Some(paths), test }
        }
        (Some(f), _) => Instr::Test { field: fields.intern(f), test },
    };
    b.emit(instr, (0, 0));
    if case.negate {
        b.emit(Instr::Not, (0, 0));
    }
    let program = b.finish().map_err(|e| e.to_string())?;
    let event: serde_json::Value =
        serde_json::from_str(&case.event).map_err(|e| format!("bad event: {e}"))?;
    let mut view = EventView::new(&fields, &event);
    let mut vm = Vm::new();
    let first = vm.matches(&program, &mut view);
    // Memoised second run over the same view, and a recycled view, must agree.
    let second = vm.matches(&program, &mut view);
    let mut recycled = view.recycle(&fields, &event);
    let third = vm.matches(&program, &mut recycled);
    if first != second || first != third {
        return Err("memoised or recycled runs disagree".into());
    }
    Ok(first)
}

#[test]
fn table_driven_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut entries: Vec<_> =
        std::fs::read_dir(&dir).expect("cases dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        let text = std::fs::read_to_string(path).expect("readable case file");
        let file: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for case in &file.test {
            count += 1;
            match run_case(case) {
                Ok(got) if got == case.expect => {}
                Ok(got) => failures.push(format!("{}: {}: got {got}", path.display(), case.name)),
                Err(e) => failures.push(format!("{}: {}: {e}", path.display(), case.name)),
            }
        }
    }
    assert!(count > 50, "only {count} cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
