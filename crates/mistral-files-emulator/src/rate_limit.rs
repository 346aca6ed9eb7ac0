//! The request rate limit: one bucket per API key, refilled at N requests per second, holding a
//! burst of a tenth of a second's worth (at least 1), as GCRA (the token bucket written as the
//! time at which the bucket is next full, so each check is one comparison and one store).
//!
//! A bucket is found by the SHA-256 of the bearer token, never the token itself: nothing here
//! can leak a key. Without auth every request shares one bucket.
//!
//! A leaf: the front middleware asks it about each authenticated `/v1/...` request.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Nanoseconds in a second.
const NANOS: u128 = 1_000_000_000;

/// Buckets kept before the full ones are forgotten (a full bucket is the same as none). Only a
/// key that passed auth gets one, so this is reached only if many keys are ever accepted.
const MAX_BUCKETS: usize = 1024;

/// Which bucket a request draws from: the hash of its key, or the shared one without auth.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BucketId(Option<[u8; 32]>);

impl BucketId {
    /// The bucket of requests carrying `token` as their bearer value.
    pub(crate) fn of_key(token: &str) -> BucketId {
        BucketId(Some(Sha256::digest(token.as_bytes()).into()))
    }

    /// The one bucket of an emulator without auth.
    pub(crate) fn shared() -> BucketId {
        BucketId(None)
    }
}

/// Requests per second per key, and the buckets.
pub(crate) struct RateLimiter {
    per_second: u32,
    burst: u32,
    start: Instant,
    /// Per bucket, when it is next full ("theoretical arrival time"), in units of
    /// 1 / (`per_second` * 1e9) s since `start`: one request costs exactly 1e9 units, so the
    /// arithmetic is exact in integers whatever the rate.
    full_at: Mutex<HashMap<BucketId, u128>>,
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_second", &self.per_second)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// `per_second` requests per second per key (0 is taken as 1), with a burst of
    /// max(1, `per_second` / 10).
    pub(crate) fn new(per_second: u32) -> RateLimiter {
        let per_second = per_second.max(1);
        RateLimiter {
            per_second,
            burst: (per_second / 10).max(1),
            start: Instant::now(),
            full_at: Mutex::new(HashMap::new()),
        }
    }

    /// The burst: requests a full bucket lets through at once.
    #[cfg(test)]
    pub(crate) fn burst(&self) -> u32 {
        self.burst
    }

    /// Takes a token from `bucket` now: `Ok` when there was one, else `Err` with the wait until
    /// there is one, rounded up to whole seconds, at least 1 (a `Retry-After`).
    pub(crate) fn check(&self, bucket: BucketId) -> Result<(), Duration> {
        self.check_at(bucket, Instant::now())
    }

    fn check_at(&self, bucket: BucketId, at: Instant) -> Result<(), Duration> {
        let rate = u128::from(self.per_second);
        let now = at.saturating_duration_since(self.start).as_nanos() * rate;
        let window = u128::from(self.burst) * NANOS;
        let mut buckets = self.full_at.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, full_at| *full_at > now);
        }
        let full_at = buckets.entry(bucket).or_insert(now);
        let next = (*full_at).max(now) + NANOS;
        if next - now <= window {
            *full_at = next;
            return Ok(());
        }
        // In whole seconds: `wait` units are wait / (rate * 1e9) s.
        let wait = next - now - window;
        let secs = wait.div_ceil(rate * NANOS).max(1);
        Err(Duration::from_secs(u64::try_from(secs).unwrap_or(u64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> BucketId {
        BucketId::of_key(k)
    }

    #[test]
    fn a_full_bucket_lets_the_burst_through_then_refuses() {
        let limiter = RateLimiter::new(20);
        assert_eq!(limiter.burst(), 2);
        let t0 = limiter.start;
        assert_eq!(limiter.check_at(key("a"), t0), Ok(()));
        assert_eq!(limiter.check_at(key("a"), t0), Ok(()));
        assert_eq!(
            limiter.check_at(key("a"), t0),
            Err(Duration::from_secs(1)),
            "the wait (50 ms) is rounded up to a whole second"
        );
        // a token back every 50 ms
        let later = t0 + Duration::from_millis(50);
        assert_eq!(limiter.check_at(key("a"), later), Ok(()));
        assert!(limiter.check_at(key("a"), later).is_err());
    }

    #[test]
    fn keys_have_separate_buckets_and_no_auth_one_shared() {
        let limiter = RateLimiter::new(5);
        let t0 = limiter.start;
        assert_eq!(limiter.check_at(key("a"), t0), Ok(()));
        assert!(limiter.check_at(key("a"), t0).is_err());
        assert_eq!(limiter.check_at(key("b"), t0), Ok(()));
        assert_eq!(limiter.check_at(BucketId::shared(), t0), Ok(()));
        assert!(limiter.check_at(BucketId::shared(), t0).is_err());
    }

    #[test]
    fn the_burst_is_a_tenth_of_a_second_at_least_one() {
        assert_eq!(RateLimiter::new(1).burst(), 1);
        assert_eq!(RateLimiter::new(9).burst(), 1);
        assert_eq!(RateLimiter::new(100).burst(), 10);
        assert_eq!(RateLimiter::new(0).burst(), 1);
    }

    #[test]
    fn retry_after_is_the_wait_rounded_up() {
        // 1/s with a burst of 1: refused right after, for 900 ms, said as 1 s
        let limiter = RateLimiter::new(1);
        let t0 = limiter.start;
        assert_eq!(limiter.check_at(key("a"), t0), Ok(()));
        let at = t0 + Duration::from_millis(100);
        assert_eq!(limiter.check_at(key("a"), at), Err(Duration::from_secs(1)));
        assert_eq!(
            limiter.check_at(key("a"), t0 + Duration::from_secs(1)),
            Ok(())
        );
        // refusals take nothing: the bucket refills at its pace whatever is refused meanwhile
        let limiter = RateLimiter::new(10);
        let t0 = limiter.start;
        assert_eq!(limiter.check_at(key("a"), t0), Ok(()));
        for _ in 0..100 {
            assert!(limiter.check_at(key("a"), t0).is_err());
        }
        assert_eq!(
            limiter.check_at(key("a"), t0 + Duration::from_millis(100)),
            Ok(())
        );
    }

    #[test]
    fn many_keys_do_not_grow_the_map_without_bound() {
        let limiter = RateLimiter::new(1000);
        let t0 = limiter.start;
        for i in 0..(MAX_BUCKETS * 3) {
            let _ = limiter.check_at(key(&i.to_string()), t0);
        }
        let later = t0 + Duration::from_secs(1);
        let _ = limiter.check_at(key("last"), later);
        let held = limiter.full_at.lock().unwrap().len();
        assert!(held <= MAX_BUCKETS, "{held}");
    }
}
