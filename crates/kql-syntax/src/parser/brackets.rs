//! The structural brackets of a KQL query: every `(`, `)`, `{` and `}` outside quoted strings
//! and not escaped with `\`, in order. The depth limit and the "unclosed" diagnostics both read
//! the query through this one scan.

/// Each structural bracket of `text` with its byte offset.
pub(super) fn structural_brackets(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_quotes = false;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        if escaped {
            escaped = false;
            return false;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quotes = !in_quotes,
            '(' | ')' | '{' | '}' => return !in_quotes,
            _ => {}
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::structural_brackets;

    #[test]
    fn quoted_and_escaped_brackets_are_not_structural() {
        let found: Vec<_> = structural_brackets(r#"a:(b "(" \( c:{d}) "#).collect();
        assert_eq!(found, [(2, '('), (14, '{'), (16, '}'), (17, ')')]);
    }
}
