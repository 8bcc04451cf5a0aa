//! Constant folding: the value of an EQL expression that reads no field, computed by the VM's
//! script machinery over an empty event (as Elasticsearch's `ConstantFolding` optimizer rule
//! folds foldable expressions before a query runs, with three-valued logic, eql.md §1.3).

use std::collections::BTreeSet;

use crate::cond::DebugSpan;
use crate::eql::EqlLowering;
use crate::error::{CompileError, CompileErrors};
use eql_syntax::ParseErrors;
use eql_syntax::ast::QueryBody;
use miette::Diagnostic;
use rule_span::Span;
use rule_vm::{EventView, FieldTable, Instr, ProgramBuilder, ScriptValue, Vm, VmError};
use thiserror::Error;

/// The text an expression is wrapped in to parse it as an EQL condition.
const WRAPPER: &str = "any where ";

/// Why an expression could not be folded. Spans are offsets into `any where <expression>`.
#[derive(Debug, Error, Diagnostic)]
pub enum FoldError {
    /// The expression is not Elasticsearch EQL syntax.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(ParseErrors),
    /// The expression parses but does not compile (an unknown function, a wrong argument).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Compile(CompileErrors),
    /// The expression reads an event field, so it has no constant value.
    #[error("the expression reads the field [{name}], so it is not a constant")]
    #[diagnostic(code(compile::not_constant), help("fold expressions made of literals only"))]
    NotConstant {
        /// The field.
        name: String,
    },
}

/// Folds an EQL expression (`concat("a", 1)`, `7 / 2`, `null or true`) to its value: it is
/// parsed as the condition of `any where <text>`, lowered as a script and run by the VM over
/// an empty event. Null propagates three-valued, as in Elasticsearch's folding.
pub fn fold_expression(text: &str) -> Result<ScriptValue<'static>, FoldError> {
    let wrapped = format!("{WRAPPER}{text}");
    let query = eql_syntax::parse(&wrapped).map_err(FoldError::Parse)?;
    let QueryBody::Event(event) = &query.body else {
        let span = Span { start: 0, end: u32::try_from(wrapped.len()).unwrap_or(u32::MAX) };
        let error = CompileError::NotACondition { span };
        return Err(FoldError::Compile(CompileErrors { errors: vec![error] }));
    };
    let mut fields = FieldTable::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut warned = BTreeSet::new();
    let mut lowering = EqlLowering {
        fields: &mut fields,
        builder: ProgramBuilder::new(),
        errors: &mut errors,
        warnings: &mut warnings,
        warned: &mut warned,
        schema: None,
        index_schemas: &[],
        now: jiff::Timestamp::UNIX_EPOCH,
        constants: crate::constant::Constants::default(),
    };
    let mut script = Vec::new();
    lowering.value(&event.condition, &mut script);
    let builder = std::mem::take(&mut lowering.builder);
    if !errors.is_empty() {
        return Err(FoldError::Compile(CompileErrors { errors }));
    }
    if let Some(name) = fields.iter().map(|(_, name)| name.to_owned()).next() {
        return Err(FoldError::NotConstant { name });
    }
    evaluate_script(builder, &script, &fields).map_err(|e| {
        let span = event.condition.span;
        FoldError::Compile(CompileErrors {
            errors: vec![CompileError::Internal { message: e.to_string(), span }],
        })
    })
}

/// Runs value code `script` (its operands in `builder`'s pools) over an empty event and
/// returns the value it computes.
pub(crate) fn evaluate_script(
    mut builder: ProgramBuilder,
    script: &[(Instr, DebugSpan)],
    fields: &FieldTable,
) -> Result<ScriptValue<'static>, VmError> {
    for (instr, span) in script {
        builder.emit(*instr, *span);
    }
    let program = builder.finish()?;
    let empty = serde_json::Value::Object(serde_json::Map::new());
    let mut view = EventView::new(fields, &empty);
    Ok(Vm::new().evaluate(&program, &mut view))
}
