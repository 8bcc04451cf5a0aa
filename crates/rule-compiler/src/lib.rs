//! Lowers EQL and KQL ASTs to rule-vm programs, with Elasticsearch's semantics.
//!
//! ```
//! use rule_compiler::{Compiler, EqlOptions};
//! use rule_vm::{EventView, Vm};
//!
//! let query = eql_syntax::parse(r#"process where process.name : "CMD.exe""#).unwrap();
//! let mut compiler = Compiler::new();
//! let compiled = compiler.compile_eql(&query, &EqlOptions::default()).unwrap();
//! let rule_compiler::EqlPlan::Event(stage) = &compiled.plan else { unreachable!() };
//!
//! let event = serde_json::json!({"event": {"category": ["process"]}, "process": {"name": "cmd.EXE"}});
//! let mut view = EventView::new(compiler.fields(), &event);
//! assert!(Vm::new().matches(&stage.program, &mut view));
//! ```

mod compiled;
mod compiler;
mod cond;
mod constant;
mod eql;
mod error;
mod fold;
mod func_args;
mod kql;
mod kql_value;
mod lucene_regex;
mod optional;
mod types;

pub use compiled::{CompiledEql, CompiledKql, EqlOptions, SchemaOptions};
pub use compiler::Compiler;
pub use error::{CompileError, CompileErrors, CompileWarning};
pub use fold::{FoldError, fold_expression};
// The plan types a compiled EQL query holds, defined next to the code that runs them.
pub use rule_sequence::{DateKey, EqlPlan, JoinKey, Pipe, SamplePlan, SequencePlan, Stage};
pub use types::load_schema;
