//! Detection state kept across runs (`warden run --state DIR`), in one embedded
//! [redb](https://docs.rs/redb) database file under the state directory.
//!
//! * [`StateStore::open`] creates the directory and file, writes the [`FORMAT_VERSION`] into a
//!   new file and refuses a file of another version, or one that is not a state file, with a
//!   [`StateError`] (never a panic).
//! * Per-rule tables ([`RuleTable`]: `new_terms` histories, pending sequences, threshold and
//!   suppression windows) are keyed by `rule_id`; next to them the `rules` table keeps the
//!   fingerprint of the rule each record belongs to, so the caller can drop the state of a rule
//!   whose query or settings changed.
//! * The `alerted` set holds the uuid of every alert already reported, so a rerun over the same
//!   events reports nothing twice; the `undelivered` list holds the alerts of the last commit
//!   until the caller has written them out.
//! * Reads and writes are transactions ([`StateReader`], [`StateWriter`]): a commit is atomic and
//!   durable, so a killed process leaves the state of its last commit.
//!
//! Values are stored as JSON through serde, so the crate knows no engine type.
//!
//! ```
//! use rule_state::{RuleTable, StateStore};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = StateStore::open(dir.path()).unwrap();
//! let writer = store.write().unwrap();
//! writer.set_fingerprint("rule-1", "abc").unwrap();
//! writer.put(RuleTable::NewTerms, "rule-1", &vec!["host-1".to_owned()]).unwrap();
//! writer.commit().unwrap();
//!
//! let reader = store.read().unwrap();
//! assert_eq!(reader.fingerprint("rule-1").unwrap().as_deref(), Some("abc"));
//! let terms: Option<Vec<String>> = reader.get(RuleTable::NewTerms, "rule-1").unwrap();
//! assert_eq!(terms, Some(vec!["host-1".to_owned()]));
//! ```

mod error;
mod store;
mod tables;

pub use error::StateError;
pub use store::{FORMAT_VERSION, STATE_FILE_NAME, StateReader, StateStore, StateWriter};
pub use tables::RuleTable;
