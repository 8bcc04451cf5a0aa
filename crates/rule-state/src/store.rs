//! [`StateStore`]: the state file under a `--state` directory, its format version, and typed
//! reads and writes in transactions ([`StateReader`], [`StateWriter`]).
//!
//! A [`StateWriter`] is one redb write transaction: nothing it wrote is visible, in this
//! process or after a crash, until [`StateWriter::commit`] returns, and then all of it is
//! (redb commits are atomic and durable). Dropping a writer without committing discards it.

use std::path::{Path, PathBuf};

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StateError;
use crate::tables::{ALERTED, FORMAT_VERSION_KEY, META, RULES, RuleTable, UNDELIVERED};

/// The state format this build reads and writes. Bump it when a stored type changes shape.
/// Version 2: the `threshold` and `suppression` tables hold records (version 1 left them
/// empty, and a version-1 build would silently ignore them).
pub const FORMAT_VERSION: u32 = 2;

/// The database file inside the state directory.
pub const STATE_FILE_NAME: &str = "warden-state.redb";

/// An open state file.
pub struct StateStore {
    db: Database,
    path: PathBuf,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl StateStore {
    /// Opens (or creates) the state file in `dir`, creating `dir` if missing; refuses a file
    /// of another format version, or one that is not a state file.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        std::fs::create_dir_all(dir)
            .map_err(|source| StateError::Directory { path: dir.to_owned(), source })?;
        let path = dir.join(STATE_FILE_NAME);
        let db = Database::create(&path).map_err(|error| StateError::database(&path, error))?;
        let store = Self { db, path };
        store.check_version()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A consistent view of the state as last committed.
    pub fn read(&self) -> Result<StateReader<'_>, StateError> {
        let txn = self.db.begin_read().map_err(|error| self.error(error))?;
        Ok(StateReader { txn, store: self })
    }

    /// A write transaction; see [`StateWriter::commit`].
    pub fn write(&self) -> Result<StateWriter<'_>, StateError> {
        let txn = self.db.begin_write().map_err(|error| self.error(error))?;
        Ok(StateWriter { txn, store: self })
    }

    /// Writes the format version into a new file and creates every table, or checks the
    /// version of an existing one.
    fn check_version(&self) -> Result<(), StateError> {
        let writer = self.write()?;
        let found: Option<u32> = writer.meta(FORMAT_VERSION_KEY).map_err(|error| match error {
            StateError::BadRecord { path, key, problem, .. } => StateError::UnsupportedVersion {
                path,
                found: format!("{key} ({problem})"),
                supported: FORMAT_VERSION,
            },
            other => other,
        })?;
        match found {
            Some(FORMAT_VERSION) => Ok(()),
            Some(other) => Err(StateError::UnsupportedVersion {
                path: self.path.clone(),
                found: other.to_string(),
                supported: FORMAT_VERSION,
            }),
            None => {
                writer.set_meta(FORMAT_VERSION_KEY, &FORMAT_VERSION)?;
                for table in RuleTable::ALL {
                    writer.txn.open_table(table.definition()).map_err(|e| self.error(e))?;
                }
                writer.txn.open_table(RULES).map_err(|e| self.error(e))?;
                writer.txn.open_table(ALERTED).map_err(|e| self.error(e))?;
                writer.txn.open_table(UNDELIVERED).map_err(|e| self.error(e))?;
                writer.commit()
            }
        }
    }

    fn error(&self, error: impl Into<redb::Error>) -> StateError {
        StateError::database(&self.path, error)
    }

    fn decode<T: DeserializeOwned>(
        &self,
        table: &'static str,
        key: &str,
        bytes: &[u8],
    ) -> Result<T, StateError> {
        serde_json::from_slice(bytes).map_err(|error| StateError::BadRecord {
            path: self.path.clone(),
            table,
            key: key.to_owned(),
            problem: error.to_string(),
        })
    }
}

/// A read transaction: the state as of its start.
pub struct StateReader<'a> {
    txn: ReadTransaction,
    store: &'a StateStore,
}

impl StateReader<'_> {
    /// The fingerprint of the rule whose state is stored under `rule_id`.
    pub fn fingerprint(&self, rule_id: &str) -> Result<Option<String>, StateError> {
        let table = self.txn.open_table(RULES).map_err(|e| self.store.error(e))?;
        let found = table.get(rule_id).map_err(|e| self.store.error(e))?;
        Ok(found.map(|guard| guard.value().to_owned()))
    }

    /// The stored state of `rule_id` in `table`.
    pub fn get<T: DeserializeOwned>(
        &self,
        table: RuleTable,
        rule_id: &str,
    ) -> Result<Option<T>, StateError> {
        let opened = self.txn.open_table(table.definition()).map_err(|e| self.store.error(e))?;
        let found = opened.get(rule_id).map_err(|e| self.store.error(e))?;
        found.map(|guard| self.store.decode(table.name(), rule_id, guard.value())).transpose()
    }

    /// An engine-wide value.
    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        let table = self.txn.open_table(META).map_err(|e| self.store.error(e))?;
        let found = table.get(key).map_err(|e| self.store.error(e))?;
        found.map(|guard| self.store.decode("meta", key, guard.value())).transpose()
    }

    /// Whether an alert with this uuid was reported before.
    pub fn was_alerted(&self, uuid: &str) -> Result<bool, StateError> {
        let table = self.txn.open_table(ALERTED).map_err(|e| self.store.error(e))?;
        Ok(table.get(uuid).map_err(|e| self.store.error(e))?.is_some())
    }

    /// How many alerts were reported so far.
    pub fn alerted_count(&self) -> Result<u64, StateError> {
        let table = self.txn.open_table(ALERTED).map_err(|e| self.store.error(e))?;
        table.len().map_err(|e| self.store.error(e))
    }

    /// The alerts of the last commit not yet marked delivered, in order.
    pub fn undelivered<T: DeserializeOwned>(&self) -> Result<Vec<T>, StateError> {
        let table = self.txn.open_table(UNDELIVERED).map_err(|e| self.store.error(e))?;
        let mut found = Vec::new();
        for entry in table.iter().map_err(|e| self.store.error(e))? {
            let (key, value) = entry.map_err(|e| self.store.error(e))?;
            found.push(self.store.decode(
                "undelivered",
                &key.value().to_string(),
                value.value(),
            )?);
        }
        Ok(found)
    }
}

/// A write transaction: see the module doc.
pub struct StateWriter<'a> {
    txn: WriteTransaction,
    store: &'a StateStore,
}

impl StateWriter<'_> {
    /// Records that the per-rule tables hold the state of the rule with this fingerprint.
    pub fn set_fingerprint(&self, rule_id: &str, fingerprint: &str) -> Result<(), StateError> {
        let mut table = self.txn.open_table(RULES).map_err(|e| self.store.error(e))?;
        table.insert(rule_id, fingerprint).map_err(|e| self.store.error(e))?;
        Ok(())
    }

    /// Stores the state of `rule_id` in `table`, replacing what was there.
    pub fn put<T: Serialize>(
        &self,
        table: RuleTable,
        rule_id: &str,
        value: &T,
    ) -> Result<(), StateError> {
        let bytes = self.encode(table.name(), rule_id, value)?;
        let mut opened =
            self.txn.open_table(table.definition()).map_err(|e| self.store.error(e))?;
        opened.insert(rule_id, bytes.as_slice()).map_err(|e| self.store.error(e))?;
        Ok(())
    }

    /// Forgets the state of `rule_id` in `table`.
    pub fn remove(&self, table: RuleTable, rule_id: &str) -> Result<(), StateError> {
        let mut opened =
            self.txn.open_table(table.definition()).map_err(|e| self.store.error(e))?;
        opened.remove(rule_id).map_err(|e| self.store.error(e))?;
        Ok(())
    }

    /// An engine-wide value, as of this transaction.
    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        let table = self.txn.open_table(META).map_err(|e| self.store.error(e))?;
        let found = table.get(key).map_err(|e| self.store.error(e))?;
        found.map(|guard| self.store.decode("meta", key, guard.value())).transpose()
    }

    /// Stores an engine-wide value.
    pub fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StateError> {
        let bytes = self.encode("meta", key, value)?;
        let mut table = self.txn.open_table(META).map_err(|e| self.store.error(e))?;
        table.insert(key, bytes.as_slice()).map_err(|e| self.store.error(e))?;
        Ok(())
    }

    /// Records an alert as reported; `false` if it was already.
    pub fn record_alert(&self, uuid: &str, rule_id: &str) -> Result<bool, StateError> {
        let mut table = self.txn.open_table(ALERTED).map_err(|e| self.store.error(e))?;
        let previous = table.insert(uuid, rule_id).map_err(|e| self.store.error(e))?;
        Ok(previous.is_none())
    }

    /// Replaces the undelivered alerts by `alerts` (in order).
    pub fn set_undelivered<T: Serialize>(&self, alerts: &[T]) -> Result<(), StateError> {
        let mut table = self.txn.open_table(UNDELIVERED).map_err(|e| self.store.error(e))?;
        table.retain(|_, _| false).map_err(|e| self.store.error(e))?;
        for (position, alert) in (0u64..).zip(alerts) {
            let bytes = self.encode("undelivered", &position.to_string(), alert)?;
            table.insert(position, bytes.as_slice()).map_err(|e| self.store.error(e))?;
        }
        Ok(())
    }

    /// Makes everything written in this transaction durable, at once.
    pub fn commit(self) -> Result<(), StateError> {
        self.txn.commit().map_err(|error| self.store.error(error))
    }

    fn encode<T: Serialize>(
        &self,
        table: &'static str,
        key: &str,
        value: &T,
    ) -> Result<Vec<u8>, StateError> {
        serde_json::to_vec(value).map_err(|error| StateError::BadRecord {
            path: self.store.path.clone(),
            table,
            key: key.to_owned(),
            problem: error.to_string(),
        })
    }
}
