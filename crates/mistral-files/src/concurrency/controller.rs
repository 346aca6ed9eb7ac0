//! The arithmetic of the adaptive limit, with the clock passed in: every method takes the
//! instant it happens at, so that the unit tests below drive it without sleeping.
//!
//! The rules, and why:
//!
//! - **Slow start.** The limit starts small (the service's capacity is unknown) and grows by one
//!   per clean answer. A full window of answers comes back per round trip, so the limit doubles
//!   per round trip: a listing of thousands of files reaches its ceiling in a few round trips.
//! - **Additive increase.** After the first congestion signal the limit is near what the service
//!   takes, so it grows by `1/limit` per clean answer, about one per round trip: it probes for
//!   more without overshooting again.
//! - **Clean** means a success no slower than twice the lowest latency seen recently. A queue
//!   building up at the service shows as rising latency before it shows as refusals, so a slow
//!   answer shrinks the limit a little (×0.9). The lowest latency is a rolling minimum over two
//!   windows (`FLOOR_WINDOW`): a service that becomes slower for good becomes the new normal
//!   within two windows instead of shrinking the limit for ever.
//! - **Overload** (429, 503) halves the limit: the service said no, a gentle step would keep
//!   hitting it. It also learns a **rate cap**: 90 % of the rate of successes over the last
//!   second (or over the time since the first start, when that is shorter: the first refusal
//!   often comes a few round trips in, and dividing those successes by a whole second would
//!   cap a 100/s service at a handful a second), since a rate limit counts requests per time,
//!   not requests in flight, and a smaller window alone still sends fast answers at the same
//!   rate. Starts are paced to the cap, which rises by 5 % per second without overload, so a
//!   lifted limit is found again. A refusal before any success teaches no rate (there is none
//!   to measure): it only halves the limit, and a cap already learned.
//! - **Once per round trip.** Every request in flight when the service starts refusing gets
//!   refused: reacting to each would collapse the limit to 1 for a single event. Signals of
//!   requests sent before the last decrease are ignored.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long a window of the rolling minimum latency lasts; the floor is the lower of the
/// current and the previous window's minimum.
const FLOOR_WINDOW: Duration = Duration::from_secs(10);

/// Latency counts as rising above twice the floor plus this: on a fast local link (a floor of a
/// fraction of a millisecond) scheduling noise alone doubles a latency.
const LATENCY_SLACK: Duration = Duration::from_millis(2);

/// The learned rate cap rises by this factor per second without overload.
const CAP_GROWTH_PER_SEC: f64 = 1.05;

/// The starting limit of an adaptive controller whose ceiling is larger.
pub(crate) const INITIAL_LIMIT: usize = 4;

/// What became of one attempt, as the controller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// A success: its latency is judged.
    Success,
    /// The service refused for load (429, 503).
    Overloaded,
    /// Any other failure (a 404, a dropped connection, a cancelled attempt): says nothing about
    /// load.
    Neutral,
}

/// The state of one adaptive (or fixed) limit.
#[derive(Debug)]
pub(crate) struct Controller {
    adaptive: bool,
    ceiling: usize,
    limit: f64,
    in_flight: usize,
    slow_start: bool,
    /// The start instant after which signals count again (the last decrease).
    last_decrease: Option<Instant>,
    floor_current: Option<Duration>,
    floor_previous: Option<Duration>,
    floor_window_start: Option<Instant>,
    /// Completion instants of the successes of (about) the last second.
    recent_successes: VecDeque<Instant>,
    /// The first start: the successes are a rate over the time since, until a second has passed.
    first_start: Option<Instant>,
    /// Starts per second allowed, learned from the last overload.
    rate_cap: Option<f64>,
    cap_raised_at: Option<Instant>,
    /// The earliest instant the next paced start may happen.
    next_start: Option<Instant>,
}

impl Controller {
    /// A limit that adapts between 1 and `ceiling`, starting at [`INITIAL_LIMIT`] (or the
    /// ceiling, if lower).
    pub(crate) fn adaptive(ceiling: usize) -> Self {
        let ceiling = ceiling.max(1);
        Self::new(true, ceiling, INITIAL_LIMIT.min(ceiling))
    }

    /// A limit of `n`, whatever happens.
    pub(crate) fn fixed(n: usize) -> Self {
        let n = n.max(1);
        Self::new(false, n, n)
    }

    fn new(adaptive: bool, ceiling: usize, initial: usize) -> Self {
        Controller {
            adaptive,
            ceiling,
            limit: initial as f64,
            in_flight: 0,
            slow_start: true,
            last_decrease: None,
            floor_current: None,
            floor_previous: None,
            floor_window_start: None,
            recent_successes: VecDeque::new(),
            first_start: None,
            rate_cap: None,
            cap_raised_at: None,
            next_start: None,
        }
    }

    /// How many attempts may be in flight now (1 to the ceiling).
    pub(crate) fn limit(&self) -> usize {
        (self.limit.floor() as usize).clamp(1, self.ceiling)
    }

    /// How many operations (files of a bulk run) may be under way now: the limit, plus room for
    /// those waiting out a `Retry-After`, which hold no slot; a fixed limit is exact. Without that
    /// room, the files a refusal sent to wait would take the places of the ones that could go,
    /// and a rate-limited run would send at a fraction of the rate it learned.
    pub(crate) fn operations(&self) -> usize {
        // a fixed limit is its ceiling, so the room is cut back to it
        (2 * self.limit() + 4).min(self.ceiling)
    }

    /// The learned rate cap in starts per second, if an overload set one.
    #[cfg(test)]
    pub(crate) fn rate_cap(&self) -> Option<f64> {
        self.rate_cap
    }

    /// Takes a slot if one is free: `Some(instant)` the attempt may start at (now, or later when
    /// starts are paced), `None` when the limit is reached.
    pub(crate) fn try_start(&mut self, now: Instant) -> Option<Instant> {
        if self.in_flight >= self.limit() {
            return None;
        }
        self.in_flight += 1;
        self.first_start.get_or_insert(now);
        self.raise_cap(now);
        let Some(cap) = self.rate_cap else {
            return Some(now);
        };
        let at = self.next_start.map_or(now, |n| n.max(now));
        self.next_start = Some(at + Duration::from_secs_f64(1.0 / cap));
        Some(at)
    }

    /// An attempt started at `started` ended at `now` with `signal`; frees its slot.
    pub(crate) fn finish(&mut self, started: Instant, now: Instant, signal: Signal) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if !self.adaptive {
            return;
        }
        // a signal of a request sent before the last decrease was already answered by it
        let fresh = self.last_decrease.is_none_or(|d| started >= d);
        match signal {
            Signal::Neutral => {}
            Signal::Overloaded if fresh => self.overloaded(now),
            Signal::Overloaded => {}
            Signal::Success => self.succeeded(now.saturating_duration_since(started), now, fresh),
        }
    }

    fn succeeded(&mut self, latency: Duration, now: Instant, fresh: bool) {
        self.recent_successes.push_back(now);
        self.forget_old_successes(now);
        let floor = self.floor(latency, now);
        if latency > floor * 2 + LATENCY_SLACK {
            if fresh {
                self.decrease(0.9, now);
            }
            return;
        }
        let step = if self.slow_start {
            1.0
        } else {
            1.0 / self.limit
        };
        self.limit = (self.limit + step).min(self.ceiling as f64);
    }

    fn overloaded(&mut self, now: Instant) {
        self.decrease(0.5, now);
        self.forget_old_successes(now);
        self.rate_cap = match self.success_rate(now) {
            Some(rate) => Some((rate * 0.9).max(1.0)),
            None => self.rate_cap.map(|cap| (cap * 0.5).max(1.0)),
        };
        self.cap_raised_at = Some(now);
    }

    /// Successes per second over the last second, or over the time since the first start when
    /// that is shorter (at least 10 ms, so that one quick answer is not a huge rate); `None`
    /// before any success.
    fn success_rate(&self, now: Instant) -> Option<f64> {
        if self.recent_successes.is_empty() {
            return None;
        }
        let since_start = self
            .first_start
            .map_or(Duration::ZERO, |s| now.saturating_duration_since(s));
        let window = since_start.clamp(Duration::from_millis(10), Duration::from_secs(1));
        Some(self.recent_successes.len() as f64 / window.as_secs_f64())
    }

    fn decrease(&mut self, factor: f64, now: Instant) {
        self.limit = (self.limit * factor).max(1.0);
        self.slow_start = false;
        self.last_decrease = Some(now);
    }

    /// Records `latency` in the rolling minimum and returns the floor.
    fn floor(&mut self, latency: Duration, now: Instant) -> Duration {
        let start = *self.floor_window_start.get_or_insert(now);
        if now.saturating_duration_since(start) >= FLOOR_WINDOW {
            self.floor_previous = self.floor_current.take();
            self.floor_window_start = Some(now);
        }
        let current = self.floor_current.map_or(latency, |f| f.min(latency));
        self.floor_current = Some(current);
        self.floor_previous.map_or(current, |p| p.min(current))
    }

    fn forget_old_successes(&mut self, now: Instant) {
        while let Some(&t) = self.recent_successes.front() {
            if now.saturating_duration_since(t) > Duration::from_secs(1) {
                self.recent_successes.pop_front();
            } else {
                break;
            }
        }
    }

    /// Raises the rate cap by 5 % per second since it was set or last raised.
    fn raise_cap(&mut self, now: Instant) {
        let (Some(cap), Some(at)) = (self.rate_cap, self.cap_raised_at) else {
            return;
        };
        let secs = now.saturating_duration_since(at).as_secs_f64();
        if secs > 0.0 {
            self.rate_cap = Some(cap * CAP_GROWTH_PER_SEC.powf(secs));
            self.cap_raised_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(20);

    /// Runs one round trip: fills the window at `now`, answers each attempt `rtt` after its
    /// (possibly paced) start with `signal`; the instant the last answer came.
    fn round(c: &mut Controller, now: Instant, rtt: Duration, signal: Signal) -> Instant {
        let mut started = Vec::new();
        while let Some(at) = c.try_start(now) {
            started.push(at);
        }
        let mut end = now;
        for s in started {
            end = s + rtt;
            c.finish(s, end, signal);
        }
        end
    }

    #[test]
    fn slow_start_doubles_per_round_trip_up_to_the_ceiling() {
        let mut c = Controller::adaptive(32);
        let mut now = Instant::now();
        assert_eq!(c.limit(), 4);
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 8);
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 16);
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 32);
        round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 32, "capped at the ceiling");
    }

    #[test]
    fn a_small_ceiling_is_the_start_and_a_fixed_limit_never_moves() {
        assert_eq!(Controller::adaptive(2).limit(), 2);
        assert_eq!(Controller::adaptive(0).limit(), 1);
        let mut c = Controller::fixed(3);
        let now = Instant::now();
        let now = round(&mut c, now, RTT, Signal::Overloaded);
        assert_eq!(c.limit(), 3);
        round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 3);
        assert_eq!(c.rate_cap(), None);
    }

    #[test]
    fn only_the_limit_may_be_in_flight() {
        let mut c = Controller::adaptive(32);
        let now = Instant::now();
        for _ in 0..4 {
            assert_eq!(c.try_start(now), Some(now));
        }
        assert_eq!(c.try_start(now), None);
        c.finish(now, now + RTT, Signal::Neutral);
        assert_eq!(c.limit(), 4, "a neutral failure changes nothing");
        assert!(c.try_start(now + RTT).is_some());
    }

    #[test]
    fn overload_halves_once_per_round_trip() {
        let mut c = Controller::adaptive(32);
        let mut now = Instant::now();
        for _ in 0..3 {
            now = round(&mut c, now, RTT, Signal::Success);
        }
        assert_eq!(c.limit(), 32);
        // all 32 in flight are refused: one halving, not 32
        now = round(&mut c, now, RTT, Signal::Overloaded);
        assert_eq!(c.limit(), 16);
        // sent after the decrease: counts again
        let s = c.try_start(now).unwrap();
        c.finish(s, s + RTT, Signal::Overloaded);
        assert_eq!(c.limit(), 8);
    }

    #[test]
    fn after_congestion_the_limit_grows_by_about_one_per_round_trip() {
        let mut c = Controller::adaptive(64);
        let mut now = Instant::now();
        now = round(&mut c, now, RTT, Signal::Success); // 8
        now = round(&mut c, now, RTT, Signal::Success); // 16
        now = round(&mut c, now, RTT, Signal::Overloaded);
        assert_eq!(c.limit(), 8);
        // pacing would spread the starts: let time pass so the cap is high again
        now += Duration::from_secs(120);
        // 8 answers add 1/8 each (a little less as the limit grows): just under 9
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 8);
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 9);
        round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 10);
    }

    #[test]
    fn rising_latency_shrinks_by_a_tenth() {
        let mut c = Controller::adaptive(32);
        let mut now = Instant::now();
        now = round(&mut c, now, RTT, Signal::Success);
        now = round(&mut c, now, RTT, Signal::Success);
        assert_eq!(c.limit(), 16);
        // three times the floor: one decrease for the whole round
        round(&mut c, now, RTT * 3, Signal::Success);
        assert_eq!(c.limit(), 14); // 16 * 0.9 = 14.4
        assert_eq!(c.rate_cap(), None, "slowness sets no rate cap");
    }

    #[test]
    fn overload_learns_a_rate_cap_and_paces_starts_to_it() {
        let mut c = Controller::adaptive(32);
        let t0 = Instant::now();
        // 20 successes within the last second, then a refusal
        for i in 0..20u32 {
            let at = t0 + Duration::from_millis(40 * u64::from(i));
            let s = c.try_start(at).unwrap();
            c.finish(s, at + RTT, Signal::Success);
        }
        let refused_at = t0 + Duration::from_millis(800);
        let s = c.try_start(refused_at).unwrap();
        c.finish(s, refused_at + RTT, Signal::Overloaded);
        // 20 successes over the 0.82 s since the first start, × 0.9
        let cap = c.rate_cap().unwrap();
        let want = 20.0 / 0.82 * 0.9;
        assert!((cap - want).abs() < 1e-9, "{cap}");
        // three starts at the same instant are spread 1/cap apart
        let now = refused_at + RTT;
        let a = c.try_start(now).unwrap();
        let b = c.try_start(now).unwrap();
        let d = c.try_start(now).unwrap();
        assert_eq!(a, now);
        let gap = Duration::from_secs_f64(1.0 / want);
        assert_eq!(b - a, gap);
        assert_eq!(d - b, gap);
    }

    #[test]
    fn a_refusal_before_any_success_halves_without_a_cap_and_a_cap_recovers() {
        let mut c = Controller::adaptive(8);
        let now = Instant::now();
        let s = c.try_start(now).unwrap();
        c.finish(s, now + RTT, Signal::Overloaded);
        assert_eq!(c.rate_cap(), None, "no success: no rate to learn");
        assert_eq!(c.limit(), 2);
        // one success, then a refusal a second later: a cap of at least 1/s
        let t = now + Duration::from_secs(1);
        let s = c.try_start(t).unwrap();
        c.finish(s, t + RTT, Signal::Success);
        let s = c.try_start(t + RTT).unwrap();
        c.finish(s, t + RTT * 2, Signal::Overloaded);
        assert_eq!(c.rate_cap(), Some(1.0));
        // 10 s without overload: 1.05^10
        let later = t + RTT * 2 + Duration::from_secs(10);
        c.try_start(later).unwrap();
        let cap = c.rate_cap().unwrap();
        assert!((cap - 1.05f64.powi(10)).abs() < 1e-6, "{cap}");
    }

    #[test]
    fn a_refusal_early_on_measures_the_rate_over_the_time_so_far() {
        // a 100/s service with a burst: 15 answers in the first 60 ms, then a refusal
        let mut c = Controller::adaptive(32);
        let t0 = Instant::now();
        for i in 0..15u64 {
            let at = t0 + Duration::from_millis(4 * i);
            let s = c.try_start(at).unwrap();
            c.finish(s, at, Signal::Success);
        }
        let at = t0 + Duration::from_millis(60);
        let s = c.try_start(at).unwrap();
        c.finish(s, at, Signal::Overloaded);
        // 15 / 0.06 s × 0.9, not 15 / 1 s × 0.9
        let cap = c.rate_cap().unwrap();
        assert!((cap - 225.0).abs() < 1e-6, "{cap}");
    }

    #[test]
    fn operations_leave_room_for_those_waiting_out_a_refusal() {
        let mut c = Controller::adaptive(32);
        assert_eq!(c.operations(), 12, "2 × 4 + 4");
        let now = Instant::now();
        let s = c.try_start(now).unwrap();
        c.finish(s, now + RTT, Signal::Overloaded);
        assert_eq!((c.limit(), c.operations()), (2, 8));
        assert_eq!(
            Controller::adaptive(6).operations(),
            6,
            "never over the ceiling"
        );
        assert_eq!(
            Controller::fixed(3).operations(),
            3,
            "a fixed limit is exact"
        );
    }

    #[test]
    fn the_limit_never_goes_below_one() {
        let mut c = Controller::adaptive(4);
        let mut now = Instant::now();
        for _ in 0..10 {
            now = round(&mut c, now, RTT, Signal::Overloaded);
            now += Duration::from_secs(5);
        }
        assert_eq!(c.limit(), 1);
    }
}
