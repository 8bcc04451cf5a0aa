//! Regenerates the built-in data files under `data/` from `../shared/corpus/schemas/`
//! and fails when the committed copies differ. To update them:
//! `WARDEN_REGENERATE=1 cargo test -p field-schema --test generated_data`.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/schemas")
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn read_json(name: &str) -> Value {
    let path = schemas_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let gzipped = Path::new(name).extension().is_some_and(|ext| ext.eq_ignore_ascii_case("gz"));
    let text = if gzipped {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("gunzip {name}: {e}"));
        text
    } else {
        String::from_utf8(bytes).expect("UTF-8")
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `ecs_flat.json`: one line per field (`path<TAB>type[<TAB>ignore_above=N]`), then one
/// per multi-field (`path.name<TAB>type`).
fn ecs_tsv() -> String {
    let mut out = String::from(
        "# ECS 9.5.0 field types. Generated from shared/corpus/schemas/ecs_flat.json\n\
         # (elastic/ecs, Apache-2.0, via elastic/detection-rules) by tests/generated_data.rs.\n",
    );
    let ecs = read_json("ecs_flat.json");
    for (path, definition) in ecs.as_object().expect("object") {
        let ty = definition["type"].as_str().expect("type is a string");
        assert_ne!(ty, "alias", "ECS alias {path} would need a target");
        write!(out, "{path}\t{ty}").unwrap();
        if let Some(limit) = definition.get("ignore_above").and_then(Value::as_u64) {
            write!(out, "\tignore_above={limit}").unwrap();
        }
        out.push('\n');
        for multi in definition.get("multi_fields").and_then(Value::as_array).into_iter().flatten()
        {
            let name = multi["name"].as_str().expect("multi-field name");
            let ty = multi["type"].as_str().expect("multi-field type");
            writeln!(out, "{path}.{name}\t{ty}").unwrap();
        }
    }
    out
}

/// A flat `{field: type}` gzip file as `path<TAB>type` lines.
fn flat_tsv(name: &str, header: &str) -> String {
    let mut out = String::from(header);
    for (path, ty) in read_json(name).as_object().expect("object") {
        writeln!(out, "{path}\t{}", ty.as_str().expect("type is a string")).unwrap();
    }
    out
}

fn generated() -> Vec<(&'static str, Vec<u8>)> {
    let non_ecs = std::fs::read(schemas_dir().join("non-ecs-schema.json")).expect("non-ECS schema");
    vec![
        ("ecs.tsv", ecs_tsv().into_bytes()),
        (
            "endpoint.tsv",
            flat_tsv(
                "endpoint_process.json.gz",
                "# Elastic Defend process fields. Generated from shared/corpus/schemas/endpoint_process.json.gz\n\
                 # (elastic/detection-rules, Elastic License 2.0) by tests/generated_data.rs.\n",
            )
            .into_bytes(),
        ),
        (
            "endgame.tsv",
            flat_tsv(
                "endgame_ecs_mapping.json.gz",
                "# Endgame fields (8.4.0). Generated from shared/corpus/schemas/endgame_ecs_mapping.json.gz\n\
                 # (elastic/detection-rules, Elastic License 2.0) by tests/generated_data.rs.\n",
            )
            .into_bytes(),
        ),
        ("non-ecs-schema.json", non_ecs),
    ]
}

fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    for (number, (want, have)) in expected.lines().zip(actual.lines()).enumerate() {
        if want != have {
            return format!("line {}: generated `{want}`, committed `{have}`", number + 1);
        }
    }
    format!(
        "generated {} lines, committed {} lines",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn committed_data_matches_the_shared_sources() {
    let temp = tempfile::tempdir().expect("temp dir");
    let regenerate = std::env::var_os("WARDEN_REGENERATE").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, bytes) in generated() {
        let fresh = temp.path().join(name);
        std::fs::write(&fresh, &bytes).expect("write generated file");
        let committed_path = data_dir().join(name);
        let committed = std::fs::read(&committed_path).unwrap_or_default();
        if committed != bytes {
            if regenerate {
                std::fs::copy(&fresh, &committed_path).expect("update data file");
            } else {
                stale.push(format!("data/{name}: {}", first_difference(&bytes, &committed)));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "built-in data differs from ../shared/corpus/schemas:\n  {}\n\
         regenerate with: WARDEN_REGENERATE=1 cargo test -p field-schema --test generated_data",
        stale.join("\n  ")
    );
}
