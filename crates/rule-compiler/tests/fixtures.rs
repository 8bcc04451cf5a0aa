//! Snapshot of the bytecode listing (or the errors) of every fixture query in
//! `tests/fixtures/*.eql|*.kql`.

use rule_compiler::{CompiledEql, Compiler, EqlOptions, EqlPlan, Stage};
use rule_vm::FieldTable;
use std::fmt::Write as _;
use std::path::Path;

fn stage_text(out: &mut String, label: &str, stage: &Stage, fields: &FieldTable) {
    let keys: Vec<String> = stage
        .keys
        .iter()
        .map(|k| format!("{}{}", if k.optional { "?" } else { "" }, k.name))
        .collect();
    let _ = writeln!(
        out,
        "{label}: category={} keys=[{}] missing={} span={}..{}",
        stage.category.as_deref().unwrap_or("any"),
        keys.join(", "),
        stage.missing,
        stage.span.0,
        stage.span.1
    );
    let _ = write!(out, "{}", stage.program.listing(fields));
}

fn eql_text(compiled: &CompiledEql, fields: &FieldTable) -> String {
    let mut out = String::new();
    match &compiled.plan {
        EqlPlan::Event(stage) => stage_text(&mut out, "event", stage, fields),
        EqlPlan::Sequence(seq) => {
            let _ = writeln!(out, "sequence maxspan_nanos={:?}", seq.maxspan_nanos);
            for (i, stage) in seq.stages.iter().enumerate() {
                stage_text(&mut out, &format!("stage {i}"), stage, fields);
            }
            if let Some(until) = &seq.until {
                stage_text(&mut out, "until", until, fields);
            }
        }
        EqlPlan::Sample(sample) => {
            for (i, stage) in sample.stages.iter().enumerate() {
                stage_text(&mut out, &format!("sample {i}"), stage, fields);
            }
        }
    }
    let _ = writeln!(out, "pipes: {:?}", compiled.pipes);
    out
}

fn compile(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable fixture");
    let mut compiler = Compiler::new();
    let result = if path.extension().is_some_and(|e| e == "eql") {
        let ast = eql_syntax::parse(&text).expect("fixture parses");
        compiler.compile_eql(&ast, &EqlOptions::default()).map(|c| eql_text(&c, compiler.fields()))
    } else {
        let ast = kql_syntax::parse(&text).expect("fixture parses");
        compiler.compile_kql(&ast).map(|p| p.listing(compiler.fields()).to_string())
    };
    match result {
        Ok(listing) => listing,
        Err(errors) => {
            let mut out = format!("{errors}\n");
            for e in &errors.errors {
                let code = miette::Diagnostic::code(e).map(|c| c.to_string()).unwrap_or_default();
                let _ = writeln!(out, "{code}: {e}");
            }
            out
        }
    }
}

#[test]
fn fixture_listings() {
    insta::glob!("fixtures/*.{eql,kql}", |path| {
        let stem = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        insta::with_settings!({ prepend_module_to_snapshot => false, snapshot_suffix => "" }, {
            insta::assert_snapshot!(stem, compile(path));
        });
    });
}
