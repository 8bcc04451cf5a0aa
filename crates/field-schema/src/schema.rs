//! `Schema`: an ordered map of dotted field path to [`FieldSpec`], with alias
//! resolution, wildcard field-name expansion and overlaying of sources.

use indexmap::IndexMap;

use crate::field_type::FieldType;
use crate::spec::{FieldSpec, MultiField};

/// Aliases cannot point at aliases in ES; this bounds a malformed chain.
const MAX_ALIAS_HOPS: usize = 8;

/// Known fields by full dotted path (`process.pid`, `file.path.text`), in the order
/// their sources listed them. Multi-fields are entries of their own, so every
/// addressable name is a key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    fields: IndexMap<String, FieldSpec>,
}

/// A field found through [`Schema::resolve`]: the concrete path after following an
/// alias, and its mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedField<'a> {
    /// The concrete field's path (the alias target, or the asked path itself).
    pub path: &'a str,
    /// The concrete field's mapping.
    pub spec: &'a FieldSpec,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Schema {
        Schema::default()
    }

    /// How many paths are known.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether no path is known.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The mapping of exactly `path` (an alias is returned as the alias).
    pub fn get(&self, path: &str) -> Option<&FieldSpec> {
        self.fields.get(path)
    }

    /// Whether `path` is known.
    pub fn contains(&self, path: &str) -> bool {
        self.fields.contains_key(path)
    }

    /// The type of `path` after following an alias.
    pub fn field_type(&self, path: &str) -> Option<&FieldType> {
        self.resolve(path).map(|field| &field.spec.ty)
    }

    /// The alias target of `path`, if `path` is an alias.
    pub fn alias_target(&self, path: &str) -> Option<&str> {
        self.get(path)?.ty.alias_target()
    }

    /// `path` with its alias followed: the concrete field's path and mapping. `None`
    /// when `path` is unknown or its alias target is (a schema assembled from several
    /// sources may hold a dangling alias; the mapping loader rejects them).
    pub fn resolve<'a>(&'a self, path: &str) -> Option<ResolvedField<'a>> {
        let (mut key, mut spec) = self.fields.get_key_value(path)?;
        for _ in 0..MAX_ALIAS_HOPS {
            let FieldType::Alias(target) = &spec.ty else {
                return Some(ResolvedField { path: key, spec });
            };
            (key, spec) = self.fields.get_key_value(target.as_str())?;
        }
        None
    }

    /// The known field names matching `pattern`, where `*` matches any run of
    /// characters (dots included) and everything else matches itself, case-sensitively;
    /// in schema order. Object and nested containers are skipped, aliases and
    /// multi-fields are included.
    ///
    /// This is how Kibana expands a KQL field name against a data view: the data view's
    /// fields whose name matches `^pattern$` with `*` → `.*`, case-sensitively
    /// (`shared/docs/kql.md` §2.1; Kibana `kbn-es-query` kuery `getFields`). Data views
    /// list leaf fields, not object containers. A pattern without `*` gives the field
    /// itself when it is known.
    pub fn expand<'a>(&'a self, pattern: &str) -> Vec<&'a str> {
        self.fields
            .iter()
            .filter(|(path, spec)| !spec.ty.is_container() && glob_matches(pattern, path))
            .map(|(path, _)| path.as_str())
            .collect()
    }

    /// The path of the nearest `nested` field that contains `path` (not `path`
    /// itself), if any: the scope a KQL `p:{ … }` group or an ES `nested` query needs.
    pub fn nested_scope<'a>(&'a self, path: &str) -> Option<&'a str> {
        let mut prefix = path;
        while let Some((parent, _)) = prefix.rsplit_once('.') {
            if let Some((key, spec)) = self.fields.get_key_value(parent)
                && spec.ty == FieldType::Nested
            {
                return Some(key);
            }
            prefix = parent;
        }
        None
    }

    /// Adds or replaces `path` as given, then keeps multi-field links consistent (a
    /// path directly under a value field is that field's multi-field). Returns the
    /// mapping it replaced.
    pub fn insert(&mut self, path: impl Into<String>, spec: FieldSpec) -> Option<FieldSpec> {
        let previous = self.fields.insert(path.into(), spec);
        self.link_all_multi_fields();
        previous
    }

    /// Lays `other` over this schema: every path of `other` replaces the same path
    /// here (later sources win), new paths are appended in `other`'s order.
    pub fn overlay(&mut self, other: &Schema) {
        for (path, spec) in &other.fields {
            self.fields.insert(path.clone(), spec.clone());
        }
        self.link_all_multi_fields();
    }

    /// This schema with `other` laid over it (see [`Schema::overlay`]).
    #[must_use]
    pub fn overlaid(mut self, other: &Schema) -> Schema {
        self.overlay(other);
        self
    }

    /// All paths and mappings, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldSpec)> {
        self.fields.iter().map(|(path, spec)| (path.as_str(), spec))
    }

    /// All paths, in order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// Re-derives every multi-field link: an entry directly under a value field is
    /// that field's multi-field (ES allows sub-fields under a value field only as
    /// multi-fields) and is listed in the parent's `multi_fields`; an entry whose
    /// recorded parent is no longer a value field is unlinked.
    pub(crate) fn link_all_multi_fields(&mut self) {
        let mut links = Vec::new();
        for (index, (path, spec)) in self.fields.iter().enumerate() {
            let parent = path
                .rsplit_once('.')
                .and_then(|(parent, _)| self.fields.get_index_of(parent))
                .filter(|&parent| self.fields[parent].ty.is_value_field());
            if parent.is_some() || spec.multi_field_of.is_some() {
                links.push((index, parent));
            }
        }
        for (child, parent) in links {
            self.link(child, parent);
        }
    }

    fn link(&mut self, child: usize, parent: Option<usize>) {
        let Some(parent) = parent else {
            self.fields[child].multi_field_of = None;
            return;
        };
        let (child_path, child_spec) = self.fields.get_index(child).expect("index from iteration");
        let name = child_path.rsplit_once('.').map_or("", |(_, name)| name).to_owned();
        let ty = child_spec.ty.clone();
        let (parent_path, parent_spec) =
            self.fields.get_index_mut(parent).expect("index from lookup");
        let parent_path = parent_path.clone();
        match parent_spec.multi_fields.iter_mut().find(|field| field.name == name) {
            Some(existing) => existing.ty = ty,
            None => parent_spec.multi_fields.push(MultiField { name, ty }),
        }
        let child_spec = &mut self.fields[child];
        if child_spec.multi_field_of.as_deref() != Some(parent_path.as_str()) {
            child_spec.multi_field_of = Some(parent_path);
        }
    }
}

impl<'a> IntoIterator for &'a Schema {
    type Item = (&'a String, &'a FieldSpec);
    type IntoIter = indexmap::map::Iter<'a, String, FieldSpec>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

impl FromIterator<(String, FieldSpec)> for Schema {
    fn from_iter<I: IntoIterator<Item = (String, FieldSpec)>>(iter: I) -> Schema {
        let mut schema = Schema { fields: iter.into_iter().collect() };
        schema.link_all_multi_fields();
        schema
    }
}

/// Whole-string match of `pattern` against `text`, `*` = any run (possibly empty).
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let mut pieces: Vec<&str> = rest.split('*').collect();
    let last = pieces.pop().unwrap_or("");
    for piece in pieces {
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn glob() {
        let cases = [
            ("*", "anything", true),
            ("process.*", "process.name", true),
            ("process.*", "process", false),
            ("*.name", "process.parent.name", true),
            ("p*.n*e", "process.name", true),
            ("p*.n*e", "process.names", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("Process.*", "process.name", false),
            ("exact", "exact", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(glob_matches(pattern, text), expected, "{pattern} vs {text}");
        }
    }
}
