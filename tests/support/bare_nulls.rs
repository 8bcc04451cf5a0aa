//! Elasticsearch's QA spec `test_extra.toml` writes bare `null` in `join_keys` arrays, which
//! ES's lenient TOML reader accepts and TOML forbids: this quotes them before parsing.

/// The TOML text with bare `null` array elements quoted (`null` → `"null"`, as the ES QA
/// harness compares keys); text inside `'''` strings, quotes and longer words is left alone.
pub(crate) fn quote_bare_nulls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_multiline = false;
    for line in text.lines() {
        let fences = line.matches("'''").count();
        if in_multiline || line.trim_start().starts_with("query") {
            out.push_str(line);
        } else {
            for (index, piece) in line.split('"').enumerate() {
                if index > 0 {
                    out.push('"');
                }
                if index % 2 == 0 {
                    out.push_str(&quote_null_words(piece));
                } else {
                    out.push_str(piece);
                }
            }
        }
        out.push('\n');
        if fences % 2 == 1 {
            in_multiline = !in_multiline;
        }
    }
    out
}

fn quote_null_words(piece: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = piece;
    while let Some(at) = rest.find("null") {
        let before_ok = !rest[..at].ends_with(is_word);
        let after_ok = !rest[at + 4..].starts_with(is_word);
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { "\"null\"" } else { "null" });
        rest = &rest[at + 4..];
    }
    out.push_str(rest);
    out
}
