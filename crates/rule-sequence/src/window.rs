//! Which results are returned: the `| head N` / `| tail N` pipes, then the request's `size`
//! from the `result_position` end, keeping only what the first of these can select.
//!
//! The EQL search API returns at most `size` results (default 10), taken from the end named
//! by `result_position` (default `tail`); pipes apply first and cannot return more than
//! `size` (eql.md §1.9-1.10). Results are always listed in ascending order. Only the first
//! operation needs a buffer: `head N` keeps the first N, `tail N` the last N; everything after
//! it selects inside that buffer.

use std::collections::VecDeque;

use crate::plan::Pipe;

/// The end of the ordered results the request's `size` is taken from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResultPosition {
    /// The earliest results.
    Head,
    /// The latest results (Elasticsearch's default).
    #[default]
    Tail,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Take {
    First(usize),
    Last(usize),
}

/// A bounded collector of results in ascending order.
#[derive(Debug)]
pub struct ResultWindow<T> {
    steps: Vec<Take>,
    kept: VecDeque<T>,
}

impl<T> ResultWindow<T> {
    /// A window for `pipes`, then `size` from `position`.
    pub fn new(pipes: &[Pipe], size: usize, position: ResultPosition) -> Self {
        let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let mut steps: Vec<Take> = pipes
            .iter()
            .map(|pipe| match pipe {
                Pipe::Head(n) => Take::First(count(*n)),
                Pipe::Tail(n) => Take::Last(count(*n)),
            })
            .collect();
        steps.push(match position {
            ResultPosition::Head => Take::First(size),
            ResultPosition::Tail => Take::Last(size),
        });
        ResultWindow { steps, kept: VecDeque::new() }
    }

    /// A window that keeps every result and selects nothing: each result is final when it is
    /// pushed (a detection rule raises an alert for every sequence it finds).
    pub fn streaming() -> Self {
        ResultWindow { steps: vec![Take::First(usize::MAX)], kept: VecDeque::new() }
    }

    /// Takes the results kept so far if they are already final (a single `head` step, as in
    /// [`streaming`](Self::streaming)); otherwise nothing, as later steps still select.
    pub fn drain_final(&mut self) -> Vec<T> {
        match self.steps.as_slice() {
            [Take::First(usize::MAX)] => self.kept.drain(..).collect(),
            _ => Vec::new(),
        }
    }

    /// The results kept so far, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.kept.iter()
    }

    /// True once no later result can be selected (the first step is a full `head`).
    pub fn is_full(&self) -> bool {
        matches!(self.steps[0], Take::First(n) if self.kept.len() >= n)
    }

    /// Offers the next result in order.
    pub fn push(&mut self, item: T) {
        match self.steps[0] {
            Take::First(n) => {
                if self.kept.len() < n {
                    self.kept.push_back(item);
                }
            }
            Take::Last(n) => {
                if n == 0 {
                    return;
                }
                if self.kept.len() == n {
                    self.kept.pop_front();
                }
                self.kept.push_back(item);
            }
        }
    }

    /// The selected results, ascending.
    pub fn finish(self) -> Vec<T> {
        let mut items: Vec<T> = self.kept.into();
        for step in self.steps.iter().skip(1) {
            match *step {
                Take::First(n) => items.truncate(n),
                Take::Last(n) => {
                    let start = items.len().saturating_sub(n);
                    items.drain(..start);
                }
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(pipes: &[Pipe], size: usize, position: ResultPosition) -> Vec<u32> {
        let mut window = ResultWindow::new(pipes, size, position);
        for n in 1..=10 {
            window.push(n);
        }
        window.finish()
    }

    #[test]
    fn size_takes_from_the_result_position_end() {
        assert_eq!(select(&[], 3, ResultPosition::Tail), [8, 9, 10]);
        assert_eq!(select(&[], 3, ResultPosition::Head), [1, 2, 3]);
        assert_eq!(select(&[], 0, ResultPosition::Tail), Vec::<u32>::new());
    }

    #[test]
    fn pipes_chain_before_size() {
        assert_eq!(select(&[Pipe::Head(4), Pipe::Tail(2)], 50, ResultPosition::Tail), [3, 4]);
        assert_eq!(select(&[Pipe::Tail(4), Pipe::Head(2)], 50, ResultPosition::Head), [7, 8]);
        assert_eq!(select(&[Pipe::Head(5)], 2, ResultPosition::Tail), [4, 5]);
        assert_eq!(select(&[Pipe::Tail(5)], 2, ResultPosition::Head), [6, 7]);
    }

    #[test]
    fn a_streaming_window_hands_out_every_result_at_once() {
        let mut window = ResultWindow::streaming();
        window.push(1);
        window.push(2);
        assert_eq!(window.drain_final(), [1, 2]);
        window.push(3);
        assert!(!window.is_full());
        assert_eq!(window.finish(), [3]);
        let mut selecting = ResultWindow::new(&[], 5, ResultPosition::Head);
        selecting.push(1);
        assert!(selecting.drain_final().is_empty());
        assert_eq!(selecting.finish(), [1]);
    }

    #[test]
    fn a_full_head_window_reports_it() {
        let mut window = ResultWindow::new(&[Pipe::Head(1)], 10, ResultPosition::Tail);
        assert!(!window.is_full());
        window.push(1);
        assert!(window.is_full());
    }
}
