//! Compiling a parsed query with rule-compiler against its field types, and listing the
//! bytecode it produced. Every command compiles through here, so `validate`, `explain`,
//! `run` and `query` read a query the same way.

use std::fmt::Write as _;

use field_schema::{IndexPatterns, Schema};
use rule_compiler::{CompiledEql, Compiler, EqlOptions, EqlPlan, Pipe, SchemaOptions, Stage};
use rule_engine::CompiledQuery;
use rule_vm::{FieldTable, Program};

use crate::query::ParsedQuery;
use crate::query_checks::{QueryErrors, QueryWarnings, check_eql, check_kql};

/// A compiled query, with the field table its programs refer to.
pub(crate) struct Compiled {
    fields: FieldTable,
    shape: Shape,
    /// What may differ from Elasticsearch, in query coordinates.
    pub(crate) warnings: QueryWarnings,
}

enum Shape {
    Eql(CompiledEql),
    Kql(Program),
}

/// How a query is compiled: the rule's `event_category_override` (EQL) and the field types
/// of the indices it searches.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    /// The field EQL categories are matched against; `event.category` when `None`.
    pub(crate) category_field: Option<&'a str>,
    /// The field types.
    pub(crate) schema: &'a Schema,
    /// The mappings of single indices, with the indices each applies to.
    pub(crate) index_schemas: &'a [(IndexPatterns, Schema)],
}

impl Target<'_> {
    fn eql_options(&self) -> EqlOptions {
        let mut options = EqlOptions::default();
        if let Some(field) = self.category_field {
            field.clone_into(&mut options.category_field);
        }
        options
    }

    fn schema_options(&self) -> SchemaOptions<'_> {
        SchemaOptions {
            schema: Some(self.schema),
            index_schemas: self.index_schemas,
            ..SchemaOptions::default()
        }
    }
}

/// Compiles `query` with its own field table, for listing it.
pub(crate) fn compile(query: &ParsedQuery, target: Target<'_>) -> Result<Compiled, QueryErrors> {
    let mut compiler = Compiler::new();
    let (shape, warnings) = match compile_typed(query, target, &mut compiler)? {
        Typed::Eql(eql, warnings) => (Shape::Eql(eql), warnings),
        Typed::Kql(program, warnings) => (Shape::Kql(program), warnings),
    };
    Ok(Compiled { fields: compiler.into_fields(), shape, warnings })
}

/// Compiles `query` into `compiler`'s field table in the engine's shape; the inner error
/// says why the engine cannot run it (pipes, a sequence shape it does not support).
pub(crate) fn compile_for_engine(
    query: &ParsedQuery,
    target: Target<'_>,
    compiler: &mut Compiler,
) -> Result<Result<(CompiledQuery, QueryWarnings), String>, QueryErrors> {
    Ok(match compile_typed(query, target, compiler)? {
        Typed::Eql(eql, warnings) => CompiledQuery::from_eql(eql.plan, &eql.pipes)
            .map(|runnable| (runnable, warnings))
            .map_err(|error| error.to_string()),
        Typed::Kql(program, warnings) => Ok((CompiledQuery::from_kql(program), warnings)),
    })
}

/// Compiles `query` into `compiler`'s field table for `warden query`, which answers every
/// shape (pipes and samples too): a KQL query is an event query of any category.
pub(crate) fn compile_for_search(
    query: &ParsedQuery,
    target: Target<'_>,
    compiler: &mut Compiler,
) -> Result<(CompiledEql, QueryWarnings), QueryErrors> {
    Ok(match compile_typed(query, target, compiler)? {
        Typed::Eql(eql, warnings) => (eql, warnings),
        Typed::Kql(program, warnings) => {
            let span = match query {
                ParsedQuery::Kql(kql) => (kql.span.start, kql.span.end),
                ParsedQuery::Eql(_) => (0, 0),
            };
            let stage = Stage { category: None, program, keys: Vec::new(), missing: false, span };
            let plan = EqlPlan::Event(stage);
            (CompiledEql { plan, pipes: Vec::new(), warnings: Vec::new() }, warnings)
        }
    })
}

enum Typed {
    Eql(CompiledEql, QueryWarnings),
    Kql(Program, QueryWarnings),
}

fn compile_typed(
    query: &ParsedQuery,
    target: Target<'_>,
    compiler: &mut Compiler,
) -> Result<Typed, QueryErrors> {
    let types = target.schema_options();
    Ok(match query {
        ParsedQuery::Eql(query) => {
            let options = target.eql_options();
            let outcome = compiler.compile_eql_typed(query, &options, &types);
            let (eql, warnings) =
                check_eql(query, &options.category_field, target.schema, outcome)?;
            Typed::Eql(eql, warnings)
        }
        ParsedQuery::Kql(query) => {
            let outcome = compiler.compile_kql_typed(query, &types);
            let (kql, warnings) = check_kql(query, target.schema, outcome)?;
            Typed::Kql(kql, warnings)
        }
    })
}

impl Compiled {
    /// The field table the programs refer to: every field the query reads.
    pub(crate) fn fields(&self) -> &FieldTable {
        &self.fields
    }

    /// Every program with its title (`query`, `event query`, `sequence term 2`, `until`,
    /// ...), in listing order.
    pub(crate) fn programs(&self) -> Vec<(String, &Program)> {
        match &self.shape {
            Shape::Kql(program) => vec![("query".to_owned(), program)],
            Shape::Eql(compiled) => {
                stages(compiled).into_iter().map(|(title, stage)| (title, &stage.program)).collect()
            }
        }
    }

    /// The bytecode listing: one block per program, each instruction with its query span.
    pub(crate) fn listing(&self) -> String {
        let mut text = String::new();
        match &self.shape {
            Shape::Kql(program) => {
                let _ = write!(text, "{}", program.listing(&self.fields));
            }
            Shape::Eql(compiled) => {
                if let EqlPlan::Sequence(sequence) = &compiled.plan
                    && let Some(nanos) = sequence.maxspan_nanos
                {
                    let _ = writeln!(text, "maxspan: {} ms", nanos / 1_000_000);
                }
                for (title, stage) in stages(compiled) {
                    self.stage(&mut text, &title, stage);
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

/// The stages of an EQL plan with their titles, in order (`until` last).
fn stages(compiled: &CompiledEql) -> Vec<(String, &Stage)> {
    match &compiled.plan {
        EqlPlan::Event(stage) => vec![("event query".to_owned(), stage)],
        EqlPlan::Sequence(sequence) => {
            let terms = sequence
                .stages
                .iter()
                .enumerate()
                .map(|(index, stage)| (format!("sequence term {}", index + 1), stage));
            terms.chain(sequence.until.iter().map(|until| ("until".to_owned(), until))).collect()
        }
        EqlPlan::Sample(sample) => sample
            .stages
            .iter()
            .enumerate()
            .map(|(index, stage)| (format!("sample term {}", index + 1), stage))
            .collect(),
    }
}
