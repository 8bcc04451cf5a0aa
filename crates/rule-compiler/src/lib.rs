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

mod compiler;
mod cond;
mod eql;
mod error;
mod kql;
mod lucene_regex;
mod plan;

pub use compiler::Compiler;
pub use error::{CompileError, CompileErrors};
pub use kql::{FieldKind, FieldTypes, KeywordFields};
pub use plan::{CompiledEql, EqlOptions, EqlPlan, JoinKey, Pipe, SamplePlan, SequencePlan, Stage};
