//! Is an index pattern well formed? Elasticsearch's index-name rules, with `*` allowed.
//!
//! Elasticsearch refuses index names containing `\ / ? " < > | , #` or a space
//! (`MetadataCreateIndexService.validateIndexOrAliasName`, `Strings.INVALID_FILENAME_CHARS`);
//! a pattern may add `*` wildcards, a leading `-` to exclude, and `cluster:` prefixes.

/// Why `pattern` is not a usable index pattern, or `None` when it is.
pub(crate) fn index_pattern_problem(pattern: &str) -> Option<&'static str> {
    if pattern.is_empty() {
        return Some("empty pattern");
    }
    if pattern.contains(',') {
        return Some("a comma joins two patterns in one string");
    }
    if pattern.chars().any(char::is_whitespace) {
        return Some("contains white space");
    }
    if pattern.chars().any(|c| matches!(c, '\\' | '/' | '?' | '"' | '<' | '>' | '|' | '#')) {
        return Some("contains a character Elasticsearch forbids in index names");
    }
    let name = pattern.strip_prefix('-').unwrap_or(pattern);
    let name = name.rsplit_once(':').map_or(name, |(_, index)| index);
    if name.is_empty() {
        return Some("no index name");
    }
    if name.starts_with(['_', '+']) {
        return Some("index names cannot start with `_` or `+`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_corpus_shapes() {
        for ok in [
            "logs-endpoint.events.file-*",
            "winlogbeat-*",
            "logs-sentinel_one_cloud_funnel.*",
            "-logs-test*",
            "remote:logs-*",
            ".alerts-security.*",
        ] {
            assert_eq!(index_pattern_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn refuses_malformed() {
        for (bad, why) in [
            ("", "empty pattern"),
            ("logs-*, winlogbeat-*", "a comma joins two patterns in one string"),
            ("logs-* ", "contains white space"),
            ("logs\\x", "contains a character Elasticsearch forbids in index names"),
            ("remote:", "no index name"),
            ("_all", "index names cannot start with `_` or `+`"),
        ] {
            assert_eq!(index_pattern_problem(bad), Some(why), "{bad:?}");
        }
    }
}
