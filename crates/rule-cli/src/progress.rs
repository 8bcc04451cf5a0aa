//! A progress bar on standard error for long runs: bytes read of the inputs (when their
//! sizes are known) and events read. It appears only after a second, only when standard
//! error is a terminal and `CI` is not set, so piped or scripted runs never see it.

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

use event_input::BytesRead;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this show no bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Events between two updates of the bar (the clock is read only then).
const UPDATE_EVERY: u64 = 4096;

/// Whether a bar may be drawn: standard error is a terminal and this is not CI.
pub(crate) fn progress_wanted(stderr_is_terminal: bool, ci: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && ci.is_none_or(|value| value.is_empty() || value == "false")
}

/// Wraps an event stream, advancing a progress bar as it is consumed.
pub(crate) struct Progressing<I> {
    inner: I,
    bytes: BytesRead,
    /// The bar, while one may still be drawn.
    bar: Option<ProgressBar>,
    shown: bool,
    started: Instant,
    events: u64,
}

impl<I> Progressing<I> {
    /// Follows `inner`, whose inputs total `total_bytes` (when known) and count their bytes
    /// into `bytes`. Draws nothing unless standard error is a terminal outside CI.
    pub(crate) fn new(inner: I, bytes: BytesRead, total_bytes: Option<u64>) -> Self {
        let wanted = progress_wanted(io::stderr().is_terminal(), std::env::var_os("CI").as_deref());
        let bar = wanted.then(|| new_bar(total_bytes));
        Self { inner, bytes, bar, shown: false, started: Instant::now(), events: 0 }
    }

    fn update(&mut self) {
        let Some(bar) = &self.bar else { return };
        if !self.shown {
            if self.started.elapsed() < SHOW_AFTER {
                return;
            }
            bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        bar.set_position(self.bytes.get());
        bar.set_message(format!("{} events", self.events));
    }
}

/// A hidden bar (shown later by [`Progressing::update`]): bytes against the total, or a
/// spinner with the bytes read when the total is unknown (standard input).
fn new_bar(total_bytes: Option<u64>) -> ProgressBar {
    let (bar, template) = match total_bytes {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {msg} ({eta})",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            "{spinner} [{elapsed_precise}] {binary_bytes} {msg} ({binary_bytes_per_sec})",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

impl<I: Iterator> Iterator for Progressing<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.inner.next();
        if item.is_some() {
            self.events += 1;
            if self.events.is_multiple_of(UPDATE_EVERY) {
                self.update();
            }
        } else if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        item
    }
}

impl<I> Drop for Progressing<I> {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn a_bar_only_on_a_terminal_outside_ci() {
        assert!(progress_wanted(true, None));
        assert!(progress_wanted(true, Some(OsStr::new("false"))));
        assert!(!progress_wanted(true, Some(OsStr::new("true"))));
        assert!(!progress_wanted(true, Some(OsStr::new("1"))));
        assert!(!progress_wanted(false, None));
    }

    #[test]
    fn the_stream_passes_through_unchanged() {
        let items: Vec<u64> = Progressing::new(0..10_000u64, BytesRead::default(), None).collect();
        assert_eq!(items, (0..10_000).collect::<Vec<_>>());
    }
}
