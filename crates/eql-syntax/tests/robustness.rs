//! No input may panic or overflow the stack: truncated fixtures, generated garbage, and
//! nesting right at and just past the depth limit.

use std::fs;
use std::path::Path;

use eql_syntax::{EqlError, MAX_DEPTH, parse};

/// Every `.eql` fixture text, valid and invalid.
fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts = Vec::new();
    for kind in ["ok", "err"] {
        for entry in fs::read_dir(root.join(kind)).expect("fixture directory exists") {
            texts.push(
                fs::read_to_string(entry.expect("entry is readable").path())
                    .expect("fixture is readable"),
            );
        }
    }
    texts
}

#[test]
fn every_prefix_and_suffix_of_every_fixture_is_handled() {
    for text in fixture_texts() {
        for (index, _) in text.char_indices() {
            let _ = parse(&text[..index]);
            let _ = parse(&text[index..]);
        }
    }
}

/// A small deterministic xorshift generator, so failures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next() % items.len() as u64).expect("index fits")]
    }
}

const PIECES: &[&str] = &[
    "process",
    "any",
    "where",
    "sequence",
    "sample",
    "by",
    "with",
    "maxspan",
    "=",
    "runs",
    "until",
    "[",
    "]",
    "![",
    "(",
    ")",
    ",",
    "and",
    "or",
    "not",
    "in",
    "in~",
    ":",
    "like",
    "like~",
    "regex~",
    "==",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "|",
    "head",
    "tail",
    "1",
    "1.5",
    ".5",
    "1e3",
    "5m",
    "\"s\"",
    "\"\\u{41}\"",
    "\"\\q\"",
    "\"\"\"r\"\"\"",
    "'x'",
    "?",
    "?\"",
    "`f``g`",
    "a.b",
    "@timestamp",
    "true",
    "null",
    "f~(",
    "//c\n",
    "/*",
    "*/",
    " ",
    "\n",
    "\"",
    "`",
    "é",
    "\u{0}",
];

#[test]
fn generated_garbage_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let length = rng.next() % 24;
        let text: String = (0..length).map(|_| rng.pick(PIECES)).collect::<Vec<_>>().join(" ");
        let _ = parse(&text);
        let glued: String = (0..length).map(|_| rng.pick(PIECES)).collect();
        let _ = parse(&glued);
    }
}

#[test]
fn arbitrary_bytes_as_utf8_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..5_000 {
        let bytes: Vec<u8> = (0..rng.next() % 64).map(|_| (rng.next() % 128) as u8).collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}

fn is_too_deep(text: &str) -> bool {
    parse(text).is_err_and(|e| e.errors.iter().any(|e| matches!(e, EqlError::TooDeep { .. })))
}

#[test]
fn nesting_at_the_limit_parses_and_beyond_it_is_an_error() {
    let parens = |n: usize| format!("process where {}a == 1{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&parens(MAX_DEPTH)).is_ok());
    assert!(is_too_deep(&parens(MAX_DEPTH + 1)));

    let nots = |n: usize| format!("process where {}a", "not ".repeat(n));
    assert!(parse(&nots(MAX_DEPTH)).is_ok());
    assert!(is_too_deep(&nots(MAX_DEPTH + 1)));

    let minus = |n: usize| format!("process where {}a == 1", "-".repeat(n));
    assert!(parse(&minus(MAX_DEPTH)).is_ok());
    assert!(is_too_deep(&minus(MAX_DEPTH + 1)));

    let mixed = |n: usize| format!("process where {}a{}", "not -(".repeat(n), ")".repeat(n));
    assert!(parse(&mixed(MAX_DEPTH / 3)).is_ok());
    assert!(is_too_deep(&mixed(MAX_DEPTH)));

    let calls = |n: usize| format!("process where {}a{} == 1", "f(".repeat(n), ")".repeat(n));
    assert!(parse(&calls(MAX_DEPTH)).is_ok());
    assert!(is_too_deep(&calls(MAX_DEPTH + 1)));

    let comments = |n: usize| format!("process where true {}{}", "/*".repeat(n), "*/".repeat(n));
    assert!(parse(&comments(MAX_DEPTH)).is_ok());
    assert!(is_too_deep(&comments(MAX_DEPTH + 1)));
}

#[test]
fn long_flat_chains_are_not_nesting() {
    let chain = format!("process where {}a == 1", "a == 1 or b == 2 and ".repeat(5_000));
    assert!(parse(&chain).is_ok());
    let sum = format!("process where {}1 == 2", "1 + ".repeat(5_000));
    assert!(parse(&sum).is_ok());
}

#[test]
fn a_small_stack_gives_an_error_not_a_crash() {
    // pest's stack guard stops the parse before the thread's stack runs out.
    let text = format!("process where {}a == 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || parse(&text).map(|_| ()).map_err(|e| e.errors))
        .expect("thread starts")
        .join()
        .expect("parsing does not crash the thread");
    if let Err(errors) = outcome {
        assert!(matches!(errors.as_slice(), [EqlError::TooDeep { .. }]), "{errors:?}");
    }
}
