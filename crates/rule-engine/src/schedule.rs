//! Kibana's rule schedule, replayed over event time.
//!
//! Kibana runs a rule every `interval` (default `5m`); each execution searches
//! `[now - from, now]` (`from` defaults to `now-6m`) with a range filter `gte: from, lte: to`
//! on the rule's timestamp (`buildEventsSearchQuery` in `security_solution/server/lib/
//! detection_engine/rule_types/utils/build_events_query.ts`; the tuple comes from
//! `getRuleRangeTuples` in `rule_types/utils/utils.ts`). Both ends are inclusive: an event
//! exactly on a boundary is in two windows when they touch.
//!
//! Here "now" is not the wall clock but a point of the event timeline. Executions happen at
//! `base + k * interval` for integers `k`:
//!
//! * without a fixed now, `base` is the Unix epoch: executions fall on multiples of the
//!   interval (a 5-minute rule runs at :00, :05, ...), and the first one is the first
//!   multiple at or after the earliest event, so every event is seen by some execution;
//! * with a fixed now (`EngineOptions::now`, a test case's `now`), `base` is that time and it
//!   is the last execution: events after it are never searched.
//!
//! Only executions whose window holds an event are replayed (the others would find nothing).
//! Alerts are de-duplicated across overlapping windows (Kibana's alert `_id` is a hash of the
//! source event and the rule, and a duplicate id is not written again): once an event has
//! alerted for a rule it is no longer a candidate. At most `max_signals` alerts are created per
//! execution (default 100, `DEFAULT_MAX_SIGNALS`); Kibana then warns that the rule reached its
//! maximum alert limit. Candidates left over stay searchable by the next execution while the
//! window still covers them; ones no window covers again never alert (counted as missed, as
//! are events falling in a gap when `from` is shorter than `interval`).

use rule_model::Rule;

use crate::timestamp::EventTime;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// One rule execution: it searches `[from, at]`, both ends inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Execution {
    /// The execution time ("now" of this run; Kibana's `to`).
    pub at: EventTime,
    /// The window start (Kibana's `from`).
    pub from: EventTime,
}

impl Execution {
    /// Whether `time` is inside the window (`gte from, lte at`).
    pub fn covers(&self, time: EventTime) -> bool {
        self.from <= time && time <= self.at
    }
}

/// A rule's schedule: interval, look-back and alert cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    interval: i64,
    lookback: i64,
    max_signals: usize,
    /// The last execution, when fixed; executions are aligned on it (else on the epoch).
    now: Option<EventTime>,
}

/// What replaying the schedule did for one rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScheduleCounts {
    /// Executions that had something in their window.
    pub executions: u64,
    /// Executions that reached `max_signals`.
    pub executions_at_max_signals: u64,
    /// Candidates over the cap, summed over executions (one event can be cut by several).
    pub cut_by_max_signals: u64,
    /// Matching events that left every window without alerting (cut at the cap each time
    /// they were searched, or in a gap between windows).
    pub missed: u64,
    /// Matching events later than the fixed now: no execution searched them.
    pub after_now: u64,
}

impl Schedule {
    /// The schedule of `rule` (`interval`, `from`, `max_signals` or Kibana's defaults); `now`
    /// fixes the last execution.
    pub fn for_rule(rule: &Rule, now: Option<EventTime>) -> Self {
        let seconds = |span: rule_model::TimeSpan| {
            i64::try_from(span.amount.saturating_mul(span.unit.seconds()))
                .unwrap_or(i64::MAX)
                .saturating_mul(NANOS_PER_SECOND)
        };
        Self::new(
            seconds(rule.schedule()),
            seconds(rule.lookback()),
            usize::try_from(rule.alerts_per_run()).unwrap_or(usize::MAX),
            now,
        )
    }

    /// A schedule from nanosecond spans (an interval of 0 is taken as 1 ns).
    pub fn new(interval: i64, lookback: i64, max_signals: usize, now: Option<EventTime>) -> Self {
        Self { interval: interval.max(1), lookback: lookback.max(0), max_signals, now }
    }

    /// Alerts one execution may create.
    pub fn max_signals(&self) -> usize {
        self.max_signals
    }

    /// The execution at `at`.
    pub fn execution(&self, at: EventTime) -> Execution {
        Execution { at, from: EventTime::from_nanos(at.as_nanos().saturating_sub(self.lookback)) }
    }

    /// The first execution at or after `time` (`None` past a fixed now).
    pub fn first_at_or_after(&self, time: EventTime) -> Option<Execution> {
        let base = self.now.map_or(0, EventTime::as_nanos);
        let offset = i128::from(time.as_nanos()) - i128::from(base);
        let steps = offset.div_euclid(i128::from(self.interval))
            + i128::from(offset.rem_euclid(i128::from(self.interval)) != 0);
        let at = i128::from(base) + steps * i128::from(self.interval);
        let at = EventTime::from_nanos(i64::try_from(at).ok()?);
        if self.now.is_some_and(|now| at > now) {
            return None;
        }
        Some(self.execution(at))
    }

    /// The execution after `execution` (`None` past a fixed now).
    pub fn next(&self, execution: Execution) -> Option<Execution> {
        let at = EventTime::from_nanos(execution.at.as_nanos().checked_add(self.interval)?);
        if self.now.is_some_and(|now| at > now) {
            return None;
        }
        Some(self.execution(at))
    }

    /// Whether some execution's window holds the whole span `[first, last]`: the first
    /// execution at or after `last` has the latest window start of those that reach `last`.
    /// An EQL sequence is found only if one execution's search sees all of its events.
    pub fn covers_span(&self, first: EventTime, last: EventTime) -> bool {
        self.first_at_or_after(last).is_some_and(|execution| execution.from <= first)
    }

    /// Replays the executions over `times` (sorted ascending). `run` gets each execution and
    /// the candidates in its window (positions into `times`, in time order, none that
    /// alerted before) and returns how many alerts it created and the positions it used up;
    /// the others stay candidates while a window covers them.
    pub fn replay<F>(&self, times: &[EventTime], mut run: F) -> ScheduleCounts
    where
        F: FnMut(Execution, &[usize]) -> (usize, Vec<usize>),
    {
        let mut counts = ScheduleCounts::default();
        let mut pending: Vec<usize> = Vec::new();
        let mut next_event = 0;
        let mut current = times.first().and_then(|&time| self.first_at_or_after(time));
        while let Some(execution) = current {
            while next_event < times.len() && times[next_event] <= execution.at {
                pending.push(next_event);
                next_event += 1;
            }
            let before = pending.len();
            pending.retain(|&position| times[position] >= execution.from);
            counts.missed += (before - pending.len()) as u64;
            if !pending.is_empty() {
                counts.executions += 1;
                let (created, used) = run(execution, &pending);
                pending.retain(|position| !used.contains(position));
                if created >= self.max_signals && !pending.is_empty() {
                    counts.executions_at_max_signals += 1;
                    counts.cut_by_max_signals += pending.len() as u64;
                }
            }
            current = if pending.is_empty() {
                times.get(next_event).and_then(|&time| self.first_at_or_after(time))
            } else {
                self.next(execution)
            };
        }
        counts.missed += pending.len() as u64;
        counts.after_now += (times.len() - next_event) as u64;
        counts
    }

    /// Every execution whose window holds one of `times` (sorted ascending), in order, with
    /// the range of positions inside its window. For rule types that search the whole
    /// window each time (threshold).
    pub fn windows(&self, times: &[EventTime]) -> (Vec<(Execution, std::ops::Range<usize>)>, u64) {
        let mut windows = Vec::new();
        let mut start = 0;
        let mut end = 0;
        let mut current = times.first().and_then(|&time| self.first_at_or_after(time));
        while let Some(execution) = current {
            while end < times.len() && times[end] <= execution.at {
                end += 1;
            }
            while start < end && times[start] < execution.from {
                start += 1;
            }
            if start < end {
                windows.push((execution, start..end));
            }
            current = self.next(execution).and_then(|next| {
                let first = start + times[start..].partition_point(|&time| time < next.from);
                let &time = times.get(first)?;
                if time <= next.at { Some(next) } else { self.first_at_or_after(time) }
            });
        }
        (windows, (times.len() - end) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60 * NANOS_PER_SECOND;

    fn at(text: &str) -> EventTime {
        EventTime::parse(text).unwrap()
    }

    fn five_six(max: usize, now: Option<&str>) -> Schedule {
        Schedule::new(5 * MINUTE, 6 * MINUTE, max, now.map(at))
    }

    #[test]
    fn executions_are_aligned_on_the_epoch_or_on_now() {
        let schedule = five_six(100, None);
        let first = schedule.first_at_or_after(at("2024-01-01T10:01:00Z")).unwrap();
        assert_eq!(first.at, at("2024-01-01T10:05:00Z"));
        assert_eq!(first.from, at("2024-01-01T09:59:00Z"));
        let on_boundary = schedule.first_at_or_after(at("2024-01-01T10:05:00Z")).unwrap();
        assert_eq!(on_boundary.at, at("2024-01-01T10:05:00Z"));
        let fixed = five_six(100, Some("2024-01-01T10:07:30Z"));
        let first = fixed.first_at_or_after(at("2024-01-01T10:01:00Z")).unwrap();
        assert_eq!(first.at, at("2024-01-01T10:02:30Z"));
        assert_eq!(fixed.first_at_or_after(at("2024-01-01T10:07:31Z")), None);
    }

    #[test]
    fn a_span_is_covered_when_one_window_holds_it() {
        let schedule = five_six(100, None);
        // 10:05 searches [9:59, 10:05].
        assert!(schedule.covers_span(at("2024-01-01T09:59:00Z"), at("2024-01-01T10:05:00Z")));
        assert!(!schedule.covers_span(at("2024-01-01T09:58:59Z"), at("2024-01-01T10:05:00Z")));
        // 10:01 to 10:06 is 5 minutes, but 10:10's window starts at 10:04.
        assert!(!schedule.covers_span(at("2024-01-01T10:01:00Z"), at("2024-01-01T10:06:00Z")));
        let fixed = five_six(100, Some("2024-01-01T10:05:00Z"));
        assert!(!fixed.covers_span(at("2024-01-01T10:04:00Z"), at("2024-01-01T10:06:00Z")));
    }

    #[test]
    fn windows_skip_empty_stretches() {
        let schedule = five_six(100, None);
        let times = [at("2024-01-01T10:01:00Z"), at("2024-01-01T12:00:00Z")];
        let (windows, after_now) = schedule.windows(&times);
        let ats: Vec<String> = windows.iter().map(|(e, r)| format!("{} {r:?}", e.at)).collect();
        assert_eq!(
            ats,
            // 12:00 is the end of one window and inside the next one (12:05 - 6m = 11:59).
            [
                "2024-01-01T10:05:00.000Z 0..1",
                "2024-01-01T12:00:00.000Z 1..2",
                "2024-01-01T12:05:00.000Z 1..2"
            ],
            "{ats:?}"
        );
        assert_eq!(after_now, 0);
    }
}
