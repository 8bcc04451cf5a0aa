//! Interned dotted field paths: the [`FieldTable`] shared by every rule compiled together.
//!
//! A field such as `process.parent.name` is interned once and referred to by a [`FieldId`].
//! The table also remembers where each dot-separated segment ends, so that an event can be
//! resolved against every split of the path (`{"process": {"parent.name": ..}}` and
//! `{"process.parent": {"name": ..}}` are the same field) without allocating.

use indexmap::IndexSet;
use std::fmt;

/// The index of an interned field path in a [`FieldTable`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct FieldId(pub u32);

impl FieldId {
    /// The id as a `usize` index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Interned dotted field paths with their segment boundaries.
#[derive(Debug, Default, Clone)]
pub struct FieldTable {
    paths: IndexSet<Box<str>>,
    /// Per field: the byte offset in the path where each segment ends (the last one is the
    /// path's length). Segment `i` spans `ends[i-1]+1 .. ends[i]`.
    segment_ends: Vec<Box<[u32]>>,
}

impl FieldTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns `path` (a dotted field name such as `file.path`) and returns its id. Interning
    /// the same path twice returns the same id.
    pub fn intern(&mut self, path: &str) -> FieldId {
        if let Some(index) = self.paths.get_index_of(path) {
            return FieldId(id_from_index(index));
        }
        let ends = segment_ends_of(path);
        let (index, _) = self.paths.insert_full(path.into());
        self.segment_ends.push(ends);
        FieldId(id_from_index(index))
    }

    /// The id of `path` if it was interned.
    pub fn get(&self, path: &str) -> Option<FieldId> {
        self.paths.get_index_of(path).map(|index| FieldId(id_from_index(index)))
    }

    /// The dotted path of `id`. Returns `"?"` for an id that is not from this table.
    pub fn name(&self, id: FieldId) -> &str {
        self.paths.get_index(id.index()).map_or("?", |path| path)
    }

    /// The byte offsets where each segment of `id`'s path ends.
    pub(crate) fn segment_ends(&self, id: FieldId) -> &[u32] {
        self.segment_ends.get(id.index()).map_or(&[], |ends| ends)
    }

    /// The number of interned fields.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True if no field was interned.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Every interned field, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FieldId, &str)> {
        self.paths.iter().enumerate().map(|(index, path)| (FieldId(id_from_index(index)), &**path))
    }
}

/// The byte offset where each dot-separated segment of `path` ends (the last one is the
/// path's length).
pub(crate) fn segment_ends_of(path: &str) -> Box<[u32]> {
    path.match_indices('.')
        .map(|(at, _)| at)
        .chain(std::iter::once(path.len()))
        .map(|at| u32::try_from(at).unwrap_or(u32::MAX))
        .collect()
}

fn id_from_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_idempotent_and_keeps_segments() {
        let mut table = FieldTable::new();
        let a = table.intern("file.a.b");
        let b = table.intern("x");
        assert_eq!(table.intern("file.a.b"), a);
        assert_ne!(a, b);
        assert_eq!(table.name(a), "file.a.b");
        assert_eq!(table.segment_ends(a), &[4, 6, 8]);
        assert_eq!(table.segment_ends(b), &[1]);
        assert_eq!(table.get("x"), Some(b));
        assert_eq!(table.get("y"), None);
        assert_eq!(table.len(), 2);
    }
}
