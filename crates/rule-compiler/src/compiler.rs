//! [`Compiler`]: owns the shared [`FieldTable`] and turns parsed EQL and KQL queries into
//! programs and plans.

use crate::cond::Cond;
use crate::eql::{EqlLowering, debug_span};
use crate::error::{CompileError, CompileErrors};
use crate::kql::{FieldTypes, KeywordFields, KqlLowering};
use crate::plan::{
    CompiledEql, EqlOptions, EqlPlan, JoinKey, Pipe, SamplePlan, SequencePlan, Stage,
};
use eql_syntax::ast::{self as eql, CategoryKind, ExprKind, PipeKind, QueryBody};
use kql_syntax::ast as kql;
use rule_span::Span;
use rule_vm::{FieldTable, Program, ProgramBuilder};

/// Compiles queries; every program it makes refers to its one [`FieldTable`].
#[derive(Debug, Default)]
pub struct Compiler {
    fields: FieldTable,
}

impl Compiler {
    /// A compiler with an empty field table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A compiler that keeps interning into `fields`.
    pub fn with_fields(fields: FieldTable) -> Self {
        Compiler { fields }
    }

    /// The field table of every program compiled so far.
    pub fn fields(&self) -> &FieldTable {
        &self.fields
    }

    /// Gives the field table back (to share it with the engine).
    pub fn into_fields(self) -> FieldTable {
        self.fields
    }

    /// Compiles an EQL statement: an event query, a sequence or a sample, with its pipes.
    pub fn compile_eql(
        &mut self,
        query: &eql::Query,
        options: &EqlOptions,
    ) -> Result<CompiledEql, CompileErrors> {
        let mut errors = Vec::new();
        let plan = match &query.body {
            QueryBody::Event(event) => {
                EqlPlan::Event(self.stage(event, &[], &[], false, event.span, options, &mut errors))
            }
            QueryBody::Sequence(seq) => {
                let mut stages = Vec::new();
                for term in &seq.terms {
                    let runs = term.runs.as_ref().map_or(1, |r| r.node);
                    let stage = self.stage(
                        &term.query,
                        &seq.by,
                        &term.by,
                        term.missing,
                        term.span,
                        options,
                        &mut errors,
                    );
                    for _ in 0..runs {
                        stages.push(stage.clone());
                    }
                }
                let until = seq.until.as_ref().map(|t| {
                    self.stage(&t.query, &seq.by, &t.by, false, t.span, options, &mut errors)
                });
                EqlPlan::Sequence(SequencePlan {
                    stages,
                    until,
                    maxspan_nanos: seq.maxspan.map(|m| m.as_nanos()),
                })
            }
            QueryBody::Sample(sample) => {
                let stages = sample
                    .terms
                    .iter()
                    .map(|t| {
                        self.stage(&t.query, &sample.by, &t.by, false, t.span, options, &mut errors)
                    })
                    .collect();
                EqlPlan::Sample(SamplePlan { stages })
            }
        };
        let pipes = query
            .pipes
            .iter()
            .map(|p| match p.kind {
                PipeKind::Head => Pipe::Head(p.count),
                PipeKind::Tail => Pipe::Tail(p.count),
            })
            .collect();
        if errors.is_empty() {
            Ok(CompiledEql { plan, pipes })
        } else {
            Err(CompileErrors { errors })
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn stage(
        &mut self,
        event: &eql::EventQuery,
        shared_keys: &[eql::Expr],
        own_keys: &[eql::Expr],
        missing: bool,
        span: Span,
        options: &EqlOptions,
        errors: &mut Vec<CompileError>,
    ) -> Stage {
        let category = match &event.category.kind {
            CategoryKind::Any => None,
            CategoryKind::Named(name) => Some(name.clone()),
        };
        let mut lowering =
            EqlLowering { fields: &mut self.fields, builder: ProgramBuilder::new(), errors };
        let mut conds = Vec::new();
        if let Some(name) = &category {
            conds.push(lowering.category(&options.category_field, name, event.category.span));
        }
        conds.push(lowering.condition(&event.condition));
        let cond = Cond::and(conds);
        let builder = std::mem::take(&mut lowering.builder);
        let program = finish(&cond, builder, event.span, errors);
        let keys = shared_keys
            .iter()
            .chain(own_keys)
            .filter_map(|key| {
                if let ExprKind::Field(f) = &key.kind {
                    Some(JoinKey {
                        field: self.fields.intern(&f.name),
                        name: f.name.clone(),
                        optional: f.optional,
                    })
                } else {
                    errors.push(CompileError::BadJoinKey { span: key.span });
                    None
                }
            })
            .collect();
        Stage { category, program, keys, missing, span: debug_span(span) }
    }

    /// Compiles a KQL query with every field treated as a keyword.
    pub fn compile_kql(&mut self, query: &kql::Query) -> Result<Program, CompileErrors> {
        self.compile_kql_with(query, &KeywordFields)
    }

    /// Compiles a KQL query with field kinds from `types`.
    pub fn compile_kql_with(
        &mut self,
        query: &kql::Query,
        types: &dyn FieldTypes,
    ) -> Result<Program, CompileErrors> {
        let mut errors = Vec::new();
        let mut lowering = KqlLowering {
            fields: &mut self.fields,
            builder: ProgramBuilder::new(),
            errors: &mut errors,
            types,
        };
        let cond = lowering.node(&query.root, "");
        let builder = std::mem::take(&mut lowering.builder);
        let program = finish(&cond, builder, query.span, &mut errors);
        if errors.is_empty() { Ok(program) } else { Err(CompileErrors { errors }) }
    }
}

fn finish(
    cond: &Cond,
    mut builder: ProgramBuilder,
    span: Span,
    errors: &mut Vec<CompileError>,
) -> Program {
    cond.emit(&mut builder, debug_span(span));
    builder.finish().unwrap_or_else(|e| {
        errors.push(CompileError::Internal { message: e.to_string(), span });
        Program::default()
    })
}
