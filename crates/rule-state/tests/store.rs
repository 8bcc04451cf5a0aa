//! The state store: round trips, transactions, format versions and damaged files.

use rule_state::{FORMAT_VERSION, RuleTable, STATE_FILE_NAME, StateError, StateStore};

#[test]
fn creates_the_directory_and_round_trips_typed_records() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("nested/state");
    let store = StateStore::open(&dir).unwrap();
    assert!(dir.join(STATE_FILE_NAME).is_file());
    let writer = store.write().unwrap();
    writer.set_fingerprint("r1", "f1").unwrap();
    writer.put(RuleTable::Sequences, "r1", &(1u64, "pending".to_owned())).unwrap();
    writer.put(RuleTable::Threshold, "r1", &7u32).unwrap();
    writer.set_meta("next", &42u64).unwrap();
    writer.commit().unwrap();
    drop(store);

    let store = StateStore::open(&dir).unwrap();
    let reader = store.read().unwrap();
    assert_eq!(reader.fingerprint("r1").unwrap().as_deref(), Some("f1"));
    assert_eq!(reader.fingerprint("r2").unwrap(), None);
    let pending: Option<(u64, String)> = reader.get(RuleTable::Sequences, "r1").unwrap();
    assert_eq!(pending, Some((1, "pending".to_owned())));
    assert_eq!(reader.get::<u32>(RuleTable::Threshold, "r1").unwrap(), Some(7));
    assert_eq!(reader.get::<u32>(RuleTable::Suppression, "r1").unwrap(), None);
    assert_eq!(reader.meta::<u64>("next").unwrap(), Some(42));
}

#[test]
fn an_uncommitted_writer_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::open(dir.path()).unwrap();
    let writer = store.write().unwrap();
    writer.put(RuleTable::NewTerms, "r1", &1u8).unwrap();
    assert!(writer.record_alert("u1", "r1").unwrap());
    drop(writer);
    let reader = store.read().unwrap();
    assert_eq!(reader.get::<u8>(RuleTable::NewTerms, "r1").unwrap(), None);
    assert!(!reader.was_alerted("u1").unwrap());
}

#[test]
fn alerts_are_recorded_once_and_undelivered_ones_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::open(dir.path()).unwrap();
    let writer = store.write().unwrap();
    assert!(writer.record_alert("u1", "r1").unwrap());
    assert!(!writer.record_alert("u1", "r1").unwrap());
    writer.set_undelivered(&["a".to_owned(), "b".to_owned()]).unwrap();
    writer.commit().unwrap();
    let writer = store.write().unwrap();
    writer.set_undelivered(&["c".to_owned()]).unwrap();
    writer.commit().unwrap();
    let reader = store.read().unwrap();
    assert!(reader.was_alerted("u1").unwrap());
    assert_eq!(reader.alerted_count().unwrap(), 1);
    assert_eq!(reader.undelivered::<String>().unwrap(), ["c"]);
}

#[test]
fn a_newer_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STATE_FILE_NAME);
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
            let mut table = txn.open_table(meta).unwrap();
            table.insert("format_version", b"99".as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let error = StateStore::open(dir.path()).unwrap_err();
    assert!(
        matches!(&error, StateError::UnsupportedVersion { found, supported, .. }
            if found == "99" && *supported == FORMAT_VERSION),
        "{error:?}"
    );
    assert!(error.to_string().contains("format version 99"), "{error}");
}

#[test]
fn a_damaged_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(STATE_FILE_NAME);
    std::fs::write(&path, b"this is not a database, just some text that fills a page".repeat(100))
        .unwrap();
    let error = StateStore::open(dir.path()).unwrap_err();
    assert!(matches!(error, StateError::Corrupt { .. }), "{error:?}");
    assert!(error.to_string().contains(STATE_FILE_NAME), "{error}");
}

#[test]
fn an_unreadable_record_names_its_table_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::open(dir.path()).unwrap();
    let writer = store.write().unwrap();
    writer.put(RuleTable::NewTerms, "r1", &"text").unwrap();
    writer.commit().unwrap();
    let error = store.read().unwrap().get::<u64>(RuleTable::NewTerms, "r1").unwrap_err();
    assert!(
        matches!(&error, StateError::BadRecord { table: "new_terms", key, .. } if key == "r1"),
        "{error:?}"
    );
}
