//! The warden command line: validate, explain, run, query.
