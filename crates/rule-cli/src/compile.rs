//! Compiling a parsed query with rule-compiler, and listing the bytecode it produced.

use std::fmt::Write as _;

use rule_compiler::{CompileErrors, CompiledEql, Compiler, EqlOptions, EqlPlan, Pipe, Stage};
use rule_vm::{FieldTable, Program};

use crate::query::ParsedQuery;

/// A compiled query, with the field table its programs refer to.
pub(crate) struct Compiled {
    fields: FieldTable,
    shape: Shape,
}

enum Shape {
    Eql(CompiledEql),
    Kql(Program),
}

/// Compiles `query`; `category_field` is the rule's `event_category_override` (EQL only).
pub(crate) fn compile(
    query: &ParsedQuery,
    category_field: Option<&str>,
) -> Result<Compiled, CompileErrors> {
    let mut compiler = Compiler::new();
    let shape = match query {
        ParsedQuery::Eql(query) => {
            let mut options = EqlOptions::default();
            if let Some(field) = category_field {
                field.clone_into(&mut options.category_field);
            }
            Shape::Eql(compiler.compile_eql(query, &options)?)
        }
        ParsedQuery::Kql(query) => Shape::Kql(compiler.compile_kql(query)?),
    };
    Ok(Compiled { fields: compiler.into_fields(), shape })
}

impl Compiled {
    /// The bytecode listing: one block per program, each instruction with its query span.
    pub(crate) fn listing(&self) -> String {
        let mut text = String::new();
        match &self.shape {
            Shape::Kql(program) => {
                let _ = write!(text, "{}", program.listing(&self.fields));
            }
            Shape::Eql(compiled) => {
                match &compiled.plan {
                    EqlPlan::Event(stage) => self.stage(&mut text, "event query", stage),
                    EqlPlan::Sequence(sequence) => {
                        if let Some(nanos) = sequence.maxspan_nanos {
                            let _ = writeln!(text, "maxspan: {} ms", nanos / 1_000_000);
                        }
                        for (index, stage) in sequence.stages.iter().enumerate() {
                            self.stage(&mut text, &format!("sequence term {}", index + 1), stage);
                        }
                        if let Some(until) = &sequence.until {
                            self.stage(&mut text, "until", until);
                        }
                    }
                    EqlPlan::Sample(sample) => {
                        for (index, stage) in sample.stages.iter().enumerate() {
                            self.stage(&mut text, &format!("sample term {}", index + 1), stage);
                        }
                    }
                }
                for pipe in &compiled.pipes {
                    let _ = match pipe {
                        Pipe::Head(n) => writeln!(text, "pipe: head {n}"),
                        Pipe::Tail(n) => writeln!(text, "pipe: tail {n}"),
                    };
                }
            }
        }
        text
    }

    fn stage(&self, text: &mut String, title: &str, stage: &Stage) {
        let category = stage.category.as_deref().unwrap_or("any");
        let keys: Vec<&str> = stage.keys.iter().map(|key| key.name.as_str()).collect();
        let by = if keys.is_empty() { String::new() } else { format!(" by {}", keys.join(", ")) };
        let missing = if stage.missing { " (missing event)" } else { "" };
        let (start, end) = stage.span;
        let _ = writeln!(text, "{title}: category {category}{by}{missing} @{start}..{end}");
        let _ = write!(text, "{}", stage.program.listing(&self.fields));
    }
}
