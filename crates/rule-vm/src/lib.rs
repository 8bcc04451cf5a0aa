//! The bytecode of field predicates and the interpreter that runs it over JSON events.
