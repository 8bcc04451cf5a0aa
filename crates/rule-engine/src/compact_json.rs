//! An event document kept compactly while the engine waits to use it: its JSON text (a parsed
//! `Value` tree is several times larger), parsed again when read.

use std::borrow::Cow;

use serde_json::Value;

/// Nesting `serde_json` reads back (its recursion limit is 128), with a margin.
const MAX_TEXT_DEPTH: usize = 100;

/// A document as JSON text, or the tree itself when it is nested too deeply for `serde_json`
/// to read back.
#[derive(Clone, Debug)]
pub(crate) enum CompactJson {
    Text(Box<str>),
    Tree(Box<Value>),
}

impl CompactJson {
    /// Keeps `document` compactly.
    pub(crate) fn new(document: Value) -> Self {
        if nested_deeper(&document, MAX_TEXT_DEPTH) {
            Self::Tree(Box::new(document))
        } else {
            Self::Text(document.to_string().into_boxed_str())
        }
    }

    /// The document (parsed again when kept as text).
    pub(crate) fn document(&self) -> Cow<'_, Value> {
        match self {
            Self::Text(text) => {
                Cow::Owned(serde_json::from_str(text).expect("serialized JSON reads back"))
            }
            Self::Tree(tree) => Cow::Borrowed(tree),
        }
    }
}

/// Whether `value` nests arrays and objects more than `depth` levels deep.
fn nested_deeper(value: &Value, depth: usize) -> bool {
    match value {
        Value::Array(items) => {
            depth == 0 || items.iter().any(|item| nested_deeper(item, depth - 1))
        }
        Value::Object(fields) => {
            depth == 0 || fields.values().any(|item| nested_deeper(item, depth - 1))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_back_the_same_document_shallow_or_deep() {
        let shallow = json!({"b": [1, -0.0, 1.5e300, "x"], "a": {"c": null, "d": u64::MAX}});
        assert!(matches!(CompactJson::new(shallow.clone()), CompactJson::Text(_)));
        assert_eq!(*CompactJson::new(shallow.clone()).document(), shallow);
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        let kept = CompactJson::new(deep.clone());
        assert!(matches!(kept, CompactJson::Tree(_)));
        assert_eq!(*kept.document(), deep);
    }
}
