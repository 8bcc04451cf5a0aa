//! No input panics, nesting is bounded, and every accepted input prints back to a query
//! with the same tree: truncations of the fixtures and pseudo-random garbage.

use kql_syntax::{KqlError, MAX_DEPTH, parse};

/// Parses `text`; if accepted, checks that printing and re-parsing gives the same tree.
fn check_round_trip(text: &str) {
    let Ok(query) = parse(text) else { return };
    let printed = query.to_string();
    match parse(&printed) {
        Ok(again) => assert!(
            again.eq_ignoring_spans(&query),
            "{text:?} printed as {printed:?} parses to {} instead of {}",
            again.to_sexpr(),
            query.to_sexpr()
        ),
        Err(error) => panic!("{text:?} printed as {printed:?} is rejected: {:?}", error.errors),
    }
}

fn fixture_queries() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut queries = Vec::new();
    for sub in ["ok", "err"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("fixture directory") {
            let path = entry.expect("fixture entry").path();
            queries.push(std::fs::read_to_string(path).expect("fixture text"));
        }
    }
    queries
}

#[test]
fn every_prefix_and_deletion_of_the_fixtures() {
    let mut checked = 0;
    for query in fixture_queries() {
        let boundaries: Vec<usize> = query.char_indices().map(|(i, _)| i).collect();
        for &cut in &boundaries {
            check_round_trip(&query[..cut]);
            let next = query[cut..].chars().next().map_or(cut, |c| cut + c.len_utf8());
            check_round_trip(&format!("{}{}", &query[..cut], &query[next..]));
            checked += 2;
        }
    }
    assert!(checked > 1000, "only {checked} variants checked");
}

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

#[test]
fn random_garbage_never_panics_and_round_trips() {
    const PIECES: &[&str] = &[
        "a", "b", "x.y", " ", "  ", ":", "(", ")", "{", "}", "\"", "\\", "*", "<", ">", "<=", "=",
        "or", "and", "not", "OR", "Not", " or ", " and ", "not ", "\\n", "\\t", "\\u0041", "\\*",
        "\\or", "\\not", "null", "true", "\t", "\n", "\u{a0}", "é", "?", "1", "\\\\", "\\\"",
        "\u{2003}",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..20_000 {
        let len = rng.below(12);
        let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        if parse(&text).is_ok() {
            accepted += 1;
        } else {
            rejected += 1;
        }
        check_round_trip(&text);
    }
    assert!(accepted > 1000 && rejected > 1000, "{accepted} accepted, {rejected} rejected");
}

#[test]
fn nesting_is_bounded() {
    let nested = |depth: usize, open: &str, close: &str| {
        format!("{}a:b{}", open.repeat(depth), close.repeat(depth))
    };
    assert!(parse(&nested(MAX_DEPTH, "(", ")")).is_ok());
    assert!(parse(&nested(MAX_DEPTH - 1, "x:{ ", " }")).is_ok());
    let values = format!("a:{}b{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse(&values).is_ok());
    for text in [nested(MAX_DEPTH + 1, "(", ")"), nested(100_000, "x:{ ", " }")] {
        let error = parse(&text).expect_err("too deep");
        assert!(matches!(error.errors.as_slice(), [KqlError::TooDeep { .. }]));
    }
}

#[test]
fn long_flat_queries_parse() {
    let text = vec!["a:b"; 5_000].join(" or ");
    let query = parse(&text).expect("a long flat query parses");
    assert_eq!(query.to_sexpr().matches("(is").count(), 5_000);
}
