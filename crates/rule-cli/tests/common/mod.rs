//! What the CLI tests share: where the workspace is, and how the built `warden` runs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (`rules/`, `tests/events/` are relative to it).
pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `warden args...` in `dir` without colour; returns (exit code, stdout, stderr).
pub(crate) fn warden(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the warden binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (output.status.code().expect("an exit code"), text(output.stdout), text(output.stderr))
}
