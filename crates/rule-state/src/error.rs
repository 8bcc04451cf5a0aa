//! What can go wrong with a state directory.

use std::path::PathBuf;

use miette::Diagnostic;

/// A state directory that cannot be opened, read or written.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum StateError {
    /// The directory could not be created.
    #[error("cannot create the state directory {path}: {source}")]
    #[diagnostic(code(state::directory), help("check the path and its permissions"))]
    Directory {
        /// The state directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database file is not a state file, or is damaged (`redb` could not open or read it).
    #[error("the state file {path} is corrupt or not a warden state file: {source}")]
    #[diagnostic(
        code(state::corrupt),
        help(
            "move the file away (warden then starts with empty state: new_terms histories and pending sequences are lost)"
        )
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What the database reported.
        source: redb::Error,
    },
    /// A stored record could not be decoded.
    #[error("the state file {path} holds an unreadable record ({table} `{key}`): {problem}")]
    #[diagnostic(
        code(state::bad_record),
        help(
            "move the file away to start with empty state, or use the warden version that wrote it"
        )
    )]
    BadRecord {
        /// The database file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The record's key.
        key: String,
        /// Why it could not be decoded.
        problem: String,
    },
    /// The file was written by a newer (or unknown) warden state format.
    #[error(
        "the state file {path} has format version {found}; this warden reads version {supported}"
    )]
    #[diagnostic(
        code(state::version),
        help("use the warden version that wrote it, or a fresh --state directory")
    )]
    UnsupportedVersion {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: String,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// The database is locked by another process.
    #[error("the state file {path} is in use by another warden process")]
    #[diagnostic(
        code(state::locked),
        help("wait for the other run to end, or use another --state directory")
    )]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// Reading or writing failed (disk full, I/O error, ...).
    #[error("cannot use the state file {path}: {source}")]
    #[diagnostic(code(state::io))]
    Database {
        /// The database file.
        path: PathBuf,
        /// What the database reported.
        source: redb::Error,
    },
}

impl StateError {
    /// Classifies a database error for `path`.
    pub(crate) fn database(path: &std::path::Path, error: impl Into<redb::Error>) -> Self {
        let path = path.to_owned();
        match error.into() {
            redb::Error::DatabaseAlreadyOpen => Self::Locked { path },
            source @ (redb::Error::Corrupted(_)
            | redb::Error::UpgradeRequired(_)
            | redb::Error::TableTypeMismatch { .. }
            | redb::Error::TableIsMultimap(_)
            | redb::Error::TypeDefinitionChanged { .. }) => Self::Corrupt { path, source },
            redb::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                Self::Corrupt { path, source: redb::Error::Io(io) }
            }
            source => Self::Database { path, source },
        }
    }
}
