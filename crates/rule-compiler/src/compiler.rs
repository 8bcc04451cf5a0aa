//! [`Compiler`]: owns the shared [`FieldTable`] and turns parsed EQL and KQL queries into
//! programs and plans.

use std::collections::BTreeSet;

use crate::compiled::{CompiledEql, CompiledKql, EqlOptions, SchemaOptions};
use crate::cond::Cond;
use crate::constant::{Constants, Role};
use crate::eql::{EqlLowering, debug_span};
use crate::error::{CompileError, CompileErrors, CompileWarning};
use crate::kql::{KqlLowering, Scope};
use eql_syntax::ast::{self as eql, CategoryKind, ExprKind, Literal, PipeKind, QueryBody};
use kql_syntax::ast as kql;
use rule_sequence::{EqlPlan, Pipe, SamplePlan, SequencePlan, Stage};
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

    /// Compiles an EQL statement without a schema (every field unmapped: no type checks).
    pub fn compile_eql(
        &mut self,
        query: &eql::Query,
        options: &EqlOptions,
    ) -> Result<CompiledEql, CompileErrors> {
        self.compile_eql_typed(query, options, &SchemaOptions::default())
    }

    /// Compiles an EQL statement: an event query, a sequence or a sample, with its pipes,
    /// with the field types of `types.schema` (aliases resolved, type errors ES reports at
    /// query time reported here, dates/versions/ips compared by type).
    pub fn compile_eql_typed(
        &mut self,
        query: &eql::Query,
        options: &EqlOptions,
        types: &SchemaOptions<'_>,
    ) -> Result<CompiledEql, CompileErrors> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut warned = BTreeSet::new();
        let mut ctx = StageContext {
            options,
            types,
            errors: &mut errors,
            warnings: &mut warnings,
            warned: &mut warned,
        };
        let plan = match &query.body {
            QueryBody::Event(event) => {
                EqlPlan::Event(self.stage(event, &[], &[], Role::Query, event.span, &mut ctx))
            }
            QueryBody::Sequence(seq) => {
                let mut stages = Vec::new();
                for (index, term) in seq.terms.iter().enumerate() {
                    let runs = term.runs.as_ref().map_or(1, |r| r.node);
                    let role = Role::Term { number: index + 1, missing: term.missing };
                    let stage =
                        self.stage(&term.query, &seq.by, &term.by, role, term.span, &mut ctx);
                    for _ in 0..runs {
                        stages.push(stage.clone());
                    }
                }
                let until = seq
                    .until
                    .as_ref()
                    .map(|t| self.stage(&t.query, &seq.by, &t.by, Role::Until, t.span, &mut ctx));
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
                    .enumerate()
                    .map(|(index, t)| {
                        let role = Role::Sample { number: index + 1 };
                        self.stage(&t.query, &sample.by, &t.by, role, t.span, &mut ctx)
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
            Ok(CompiledEql { plan, pipes, warnings })
        } else {
            Err(CompileErrors { errors })
        }
    }

    fn stage(
        &mut self,
        event: &eql::EventQuery,
        shared_keys: &[eql::Expr],
        own_keys: &[eql::Expr],
        role: Role,
        span: Span,
        ctx: &mut StageContext<'_, '_>,
    ) -> Stage {
        let category = match &event.category.kind {
            CategoryKind::Any => None,
            CategoryKind::Named(name) => Some(name.clone()),
        };
        let mut lowering = EqlLowering {
            fields: &mut self.fields,
            builder: ProgramBuilder::new(),
            errors: ctx.errors,
            warnings: ctx.warnings,
            warned: ctx.warned,
            schema: ctx.types.schema,
            index_schemas: ctx.types.index_schemas,
            now: ctx.types.now_or_clock(),
            constants: Constants::default(),
        };
        let mut conds = Vec::new();
        if let Some(name) = &category {
            conds.push(lowering.category(&ctx.options.category_field, name, event.category.span));
        }
        let condition = lowering.where_clause(&event.condition);
        let root = event.condition.span;
        // `where true` says what it means (every event of the category): no warning for it.
        let written_true = matches!(event.condition.kind, ExprKind::Literal(Literal::Bool(true)));
        if !written_true {
            let constant = lowering.constants.warning(&condition, root, role, category.as_deref());
            lowering.warnings.extend(constant);
        }
        conds.push(condition);
        let cond = Cond::and(conds);
        let builder = std::mem::take(&mut lowering.builder);
        let keys = shared_keys
            .iter()
            .chain(own_keys)
            .filter_map(|key| {
                if let ExprKind::Field(f) = &key.kind {
                    Some(lowering.join_key(f))
                } else {
                    lowering.errors.push(CompileError::BadJoinKey { span: key.span });
                    None
                }
            })
            .collect();
        let program = finish(&cond, builder, event.span, ctx.errors);
        Stage { category, program, keys, missing: role.missing(), span: debug_span(span) }
    }

    /// Compiles a KQL query without a schema: every field gets keyword semantics.
    pub fn compile_kql(&mut self, query: &kql::Query) -> Result<Program, CompileErrors> {
        self.compile_kql_typed(query, &SchemaOptions::default()).map(|compiled| compiled.program)
    }

    /// Compiles a KQL query with the field types of `types.schema` (kql.md §2): matching by
    /// type, wildcard field names expanded over the schema, nested groups, free text. Fields
    /// the schema does not know compile with a warning.
    pub fn compile_kql_typed(
        &mut self,
        query: &kql::Query,
        types: &SchemaOptions<'_>,
    ) -> Result<CompiledKql, CompileErrors> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut lowering = KqlLowering {
            fields: &mut self.fields,
            builder: ProgramBuilder::new(),
            errors: &mut errors,
            warnings: &mut warnings,
            schema: types.schema,
            now: types.now_or_clock(),
            warned: BTreeSet::new(),
            constants: Constants::default(),
        };
        let cond = lowering.node(&query.root, &Scope::default());
        let constant = lowering.constants.warning(&cond, query.root.span, Role::Query, None);
        lowering.warnings.extend(constant);
        let builder = std::mem::take(&mut lowering.builder);
        let program = finish(&cond, builder, query.span, &mut errors);
        if errors.is_empty() {
            Ok(CompiledKql { program, warnings })
        } else {
            Err(CompileErrors { errors })
        }
    }
}

/// What every stage of one EQL statement shares while compiling.
struct StageContext<'a, 's> {
    options: &'a EqlOptions,
    types: &'a SchemaOptions<'s>,
    errors: &'a mut Vec<CompileError>,
    warnings: &'a mut Vec<CompileWarning>,
    warned: &'a mut BTreeSet<String>,
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
