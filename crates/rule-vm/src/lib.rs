//! The bytecode of field predicates and the interpreter that runs it over JSON events.
//!
//! Rules compiled together share one [`FieldTable`]; each rule becomes a [`Program`] (built
//! with a [`ProgramBuilder`]); an event is wrapped in an [`EventView`], which resolves each
//! field once, and a [`Vm`] runs programs over it.
//!
//! ```
//! use rule_vm::{CaseMode, EventView, FieldTable, Instr, ProgramBuilder, StrMatcher, Test, Vm};
//!
//! let mut fields = FieldTable::new();
//! let name = fields.intern("process.name");
//! let mut b = ProgramBuilder::new();
//! let matcher = b.add_matcher(StrMatcher::glob("*.EXE", false, CaseMode::Insensitive));
//! b.emit(Instr::Test { field: name, test: Test::Matches { matcher } }, (0, 20));
//! let program = b.finish().expect("valid program");
//!
//! let event = serde_json::json!({"process": {"name": "cmd.exe"}});
//! let mut view = EventView::new(&fields, &event);
//! assert!(Vm::new().matches(&program, &mut view));
//!
//! // The same run, traced: which predicate decided, and what it read.
//! let trace = Vm::new().trace(&program, &mut view);
//! assert_eq!(trace.deciding().map(|step| step.values.clone()), Some(vec![r#""cmd.exe""#.to_owned()]));
//! ```

mod analyzer;
mod cidr;
mod error;
mod event;
mod field;
mod instr;
mod matcher;
mod necessary;
mod null_value;
mod program;
mod script;
mod text;
mod trace;
mod typed;
mod version;
mod vm;

pub use analyzer::{TokenQuery, standard_tokens};
pub use cidr::CidrBlock;
pub use error::VmError;
pub use event::{EventView, ViewBuffers, values_at};
pub use field::{FieldId, FieldTable};
pub use instr::{ArithOp, CmpOp, Func, Instr, LogicOp, Test};
pub use matcher::{CaseMode, GlobPart, StrMatcher, glob_parts};
pub use necessary::KeyTerm;
pub use program::{Bound, Constant, Listing, Program, ProgramBuilder, ValueSet};
pub use script::ScriptValue;
pub use text::{Scalar, fold, fold_char, fold_into, json_text, parse_number};
pub use trace::{MAX_VALUES, Outcome, Step, Trace, TraceListing};
pub use typed::{DateRange, IpRange, RangeEnd, ip_key};
pub use version::Version;
pub use vm::Vm;
