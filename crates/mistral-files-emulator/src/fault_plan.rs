//! The faults of an unreliable network and service, beside the canned failures of `faults`:
//! a connection dropped before or after the upload is stored, a proxy's 502 after the store, an
//! answer held past the client's timeout, a download closed mid-body, a 429/503 refusal with
//! `Retry-After`. Each is injected either for the next N requests it applies to
//! ([`Faults::inject_next`]) or at a random rate from a seed ([`Faults::inject_at_rate`]), so
//! that a run against the emulator can be replayed.
//!
//! A leaf, part of the public API: uses nothing of the crate (`faults` holds a [`Plan`] and
//! offers it through `Faults::inject_next` and `Faults::inject_at_rate`).

use std::collections::VecDeque;
use std::time::Duration;

/// One injected fault. Each applies to some requests only (each variant says which); a
/// refusal is an answer the client can read (its body is drained first), never a reset,
/// except for the faults whose point is a dropped connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Any `/v1/...` request: the connection is closed before the request is handled (its body
    /// unread, nothing stored) and without an answer.
    DropBeforeHandling,
    /// An upload (`POST /v1/files`): the file is stored, then the connection is closed without
    /// an answer. A refused upload (bad form, wrong format) is answered as usual.
    StoreThenDrop,
    /// An upload: the file is stored, then the answer is a 502 HTML page, as from a proxy whose
    /// upstream answer was lost.
    StoreThen502,
    /// Any `/v1/...` request: handled (an upload is stored), then the answer is held for this
    /// long (past a client's timeout).
    DelayAnswer(Duration),
    /// A download (`/v1/files/{id}/content` or a signed URL): the body is closed after `after`
    /// bytes, under the full `Content-Length` (nothing happens when the content is shorter).
    CutDownload {
        /// Bytes sent before the connection is closed.
        after: u64,
    },
    /// Any `/v1/...` request: refused before it is handled with `status` (429 or 503 are the
    /// usual ones), the provider's JSON error body and `Retry-After` in whole seconds.
    Refuse {
        /// The status to answer.
        status: u16,
        /// The `Retry-After` header's value.
        retry_after: Duration,
    },
}

/// The kind of request a fault may apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// `POST /v1/files`.
    Upload,
    /// `GET /v1/files/{id}/content`.
    ApiDownload,
    /// Any other `/v1/...` request.
    OtherApi,
    /// `GET /signed/{token}` (no `/v1` prefix, no auth).
    SignedDownload,
    /// Anything else.
    Other,
}

impl Target {
    /// The kind of a request from its method and path.
    pub(crate) fn of(method: &str, path: &str) -> Self {
        let api = path == "/v1" || path.starts_with("/v1/");
        if method == "POST" && path == "/v1/files" {
            Target::Upload
        } else if method == "GET" && api && path.ends_with("/content") {
            Target::ApiDownload
        } else if api {
            Target::OtherApi
        } else if method == "GET" && path.starts_with("/signed/") {
            Target::SignedDownload
        } else {
            Target::Other
        }
    }
}

impl Fault {
    /// Whether this fault applies to a request of kind `target`.
    pub(crate) fn applies_to(&self, target: Target) -> bool {
        let api = matches!(
            target,
            Target::Upload | Target::ApiDownload | Target::OtherApi
        );
        match self {
            Fault::DropBeforeHandling | Fault::DelayAnswer(_) | Fault::Refuse { .. } => api,
            Fault::StoreThenDrop | Fault::StoreThen502 => target == Target::Upload,
            Fault::CutDownload { .. } => {
                matches!(target, Target::ApiDownload | Target::SignedDownload)
            }
        }
    }
}

/// The queued and random faults (kept beside the canned failures in [`Faults`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Plan {
    queue: VecDeque<(usize, Fault)>,
    random: Option<Random>,
}

#[derive(Debug, Clone)]
struct Random {
    rate: f64,
    rng: fastrand::Rng,
    faults: Vec<Fault>,
}

impl Plan {
    /// Queues `fault` for the next `n` requests it applies to.
    pub(crate) fn push(&mut self, n: usize, fault: Fault) {
        if n > 0 {
            self.queue.push_back((n, fault));
        }
    }

    /// Random faults from now on: one of `faults` with probability `rate` (clamped to 0..=1; a
    /// rate that is not a number, 0, or no faults turn them off), drawn by a generator seeded
    /// with `seed`.
    pub(crate) fn set_random(&mut self, rate: f64, seed: u64, faults: &[Fault]) {
        let rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.random = (rate > 0.0 && !faults.is_empty()).then(|| Random {
            rate,
            rng: fastrand::Rng::with_seed(seed),
            faults: faults.to_vec(),
        });
    }

    /// The fault for one request of kind `target`, if any: the first queued fault that applies
    /// to it, else a random draw (only requests some fault applies to consume the generator).
    pub(crate) fn draw(&mut self, target: Target) -> Option<Fault> {
        if let Some(i) = self.queue.iter().position(|(_, f)| f.applies_to(target)) {
            let (left, fault) = &mut self.queue[i];
            let fault = *fault;
            *left -= 1;
            if *left == 0 {
                self.queue.remove(i);
            }
            return Some(fault);
        }
        let random = self.random.as_mut()?;
        let fitting: Vec<Fault> = random
            .faults
            .iter()
            .copied()
            .filter(|f| f.applies_to(target))
            .collect();
        if fitting.is_empty() || random.rng.f64() >= random.rate {
            return None;
        }
        Some(fitting[random.rng.usize(..fitting.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_applicability() {
        assert_eq!(Target::of("POST", "/v1/files"), Target::Upload);
        assert_eq!(
            Target::of("GET", "/v1/files/x/content"),
            Target::ApiDownload
        );
        assert_eq!(Target::of("GET", "/v1/files"), Target::OtherApi);
        assert_eq!(Target::of("GET", "/signed/t"), Target::SignedDownload);
        assert!(!Fault::StoreThenDrop.applies_to(Target::OtherApi));
        assert!(Fault::CutDownload { after: 1 }.applies_to(Target::SignedDownload));
        assert!(!Fault::DropBeforeHandling.applies_to(Target::SignedDownload));
    }

    #[test]
    fn queued_faults_wait_for_a_request_they_apply_to() {
        let mut p = Plan::default();
        p.queue.push_back((2, Fault::StoreThenDrop));
        assert_eq!(p.draw(Target::OtherApi), None);
        assert_eq!(p.draw(Target::Upload), Some(Fault::StoreThenDrop));
        assert_eq!(p.draw(Target::Upload), Some(Fault::StoreThenDrop));
        assert_eq!(p.draw(Target::Upload), None);
    }
}
