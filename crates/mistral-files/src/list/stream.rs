//! The paging stream behind [`ListRequest::stream`](super::ListRequest::stream), with its
//! prefetching window.
//!
//! A file of its own because prefetching keeps more state than a loop over pages (the requests
//! in flight, the window, the stop rules applied as pages arrive in order), and its page
//! arithmetic deserves unit tests; `mod.rs` keeps the request, its setters and one page's call.
//!
//! Everything here is a future owned by the stream: nothing is spawned, so dropping the stream
//! drops (cancels) the page requests in flight.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, FuturesOrdered, Stream, StreamExt};

use super::{ListRequest, MAX_PREFETCH};
use crate::concurrency::{Concurrency, Gate};
use crate::error::{Error, Result};
use crate::types::{FileObject, FilePage};

/// Every file `req` matches, page after page (see `ListRequest::stream` for the rules).
///
/// Fused: polled again after its end it says `None` again, where a bare `unfold` panics (the
/// blocking iterator's `next()` after the end would have).
pub(super) fn files(req: ListRequest) -> impl Stream<Item = Result<FileObject>> + Send + 'static {
    stream::unfold(Pager::new(req), |mut pager| async move {
        let item = pager.next_file().await?;
        Some((item, pager))
    })
    .fuse()
}

/// One page request in flight; owns what it needs, so that it can outlive a borrow of the pager.
type PageRequest = BoxFuture<'static, Result<FilePage>>;

/// The state of a listing stream between two items.
struct Pager {
    /// Shared with the page requests in flight; its client carries `gate`.
    req: Arc<ListRequest>,
    /// The adaptive window: its limit is how many page requests may be in flight once the total
    /// is known, `prefetch` its ceiling. Every attempt of a page request passes through it.
    gate: Arc<Gate>,
    /// The files of the page being yielded, in order.
    buf: VecDeque<FileObject>,
    /// The page requests made and not yet taken; they answer in page order.
    in_flight: FuturesOrdered<PageRequest>,
    /// The next page to request; `None` once no more page is wanted (the end, an error, or the
    /// last page number `u32::MAX` was requested).
    next_page: Option<u32>,
    /// How many files come before the next page to take: those of the pages before the start
    /// page, then those taken. Compared with the total to know when it is reached.
    seen: u64,
    /// The total the service reported, the latest one (with the first page, unless asked for
    /// with every page).
    total: Option<u64>,
    /// A setting refused before any request, yielded as the first item.
    refused: Option<Error>,
}

impl Pager {
    fn new(mut req: ListRequest) -> Self {
        let refused = check_prefetch(req.prefetch).err();
        let start = req.page;
        // A caller's client carries no gate: only a bulk run's listing comes with one.
        let gate = match &req.client.gate {
            Some(gate) => Arc::clone(gate),
            None => {
                let gate = Concurrency::adaptive(req.prefetch).gate();
                req.client = req.client.with_gate(Arc::clone(&gate));
                gate
            }
        };
        Pager {
            gate,
            seen: u64::from(start) * u64::from(req.page_size),
            next_page: if refused.is_some() { None } else { Some(start) },
            req: Arc::new(req),
            buf: VecDeque::new(),
            in_flight: FuturesOrdered::new(),
            total: None,
            refused,
        }
    }

    /// The next item of the stream, `None` at the end.
    async fn next_file(&mut self) -> Option<Result<FileObject>> {
        if let Some(e) = self.refused.take() {
            return Some(Err(e));
        }
        loop {
            if let Some(file) = self.buf.pop_front() {
                return Some(Ok(file));
            }
            self.request_more();
            // Empty when no page is left to ask for: the end of the stream.
            match self.in_flight.next().await? {
                Ok(page) => self.take(page),
                Err(e) => {
                    // The pages before this one were taken (and yielded) already: FuturesOrdered
                    // answers in page order. Later ones are not wanted after an error.
                    self.stop();
                    return Some(Err(e));
                }
            }
        }
    }

    /// How many page requests may be in flight: the adaptive limit (at most `prefetch`) once a
    /// total bounds the pages, one before (without a total only a short or empty page tells the
    /// end, so asking ahead could request pages past it).
    fn window(&self) -> usize {
        if self.total.is_some() {
            // a shared gate (a bulk run's) may allow more than this listing's prefetch
            self.gate.limit().min(self.req.prefetch)
        } else {
            1
        }
    }

    /// Adds page requests until the window is full or no page is left to ask for.
    ///
    /// A request added here starts when the stream next waits on `in_flight` for a page not yet
    /// answered: `FuturesOrdered` hands out a page it already holds without polling the others.
    /// So with a consumer that keeps up, the window refills in rounds rather than one page at a
    /// time; the number of round trips is the same when the pages take equally long.
    fn request_more(&mut self) {
        while self.in_flight.len() < self.window() {
            let Some(page) = self.next_page else { break };
            if !may_request(page, self.total, self.req.page_size) {
                break;
            }
            self.in_flight.push_back(self.request(page));
            self.next_page = page.checked_add(1);
        }
    }

    /// A request for `page`, retried on its own by `fetch_with`.
    fn request(&self, page: u32) -> PageRequest {
        // The total is counted once, with the first page, unless the caller chose either way.
        let include_total = match (self.req.include_total, self.total) {
            (None, Some(_)) => Some(false),
            (asked, _) => asked,
        };
        let req = Arc::clone(&self.req);
        Box::pin(async move { req.fetch_with(page, include_total).await })
    }

    /// Takes the next page in order: its files are yielded next; a short or empty page, or the
    /// total reached, ends the stream after them.
    fn take(&mut self, page: FilePage) {
        let n = page.data.len() as u64;
        self.seen = self.seen.saturating_add(n);
        self.total = page.total.or(self.total);
        let short = n < u64::from(self.req.page_size);
        let reached = self.total.is_some_and(|t| self.seen >= t);
        if n == 0 || short || reached {
            self.stop();
        }
        self.buf.extend(page.data);
    }

    /// No more requests; those in flight are dropped, which cancels them.
    fn stop(&mut self) {
        self.next_page = None;
        self.in_flight = FuturesOrdered::new();
    }
}

/// Refuses a window of no page (the stream could never ask for one) or a huge one.
fn check_prefetch(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::invalid("prefetch", "it must be at least 1"));
    }
    if n > MAX_PREFETCH {
        return Err(Error::invalid(
            "prefetch",
            format!("{n} is too large; use at most {MAX_PREFETCH}"),
        ));
    }
    Ok(())
}

/// The number of pages `total` files fill, pages of `page_size` (at least 1): pages
/// `0..pages(..)` hold files, later ones are empty. In `u64`, so that no total overflows it.
fn pages(total: u64, page_size: u32) -> u64 {
    total.div_ceil(u64::from(page_size.max(1)))
}

/// Whether `page` may hold files: always without a total, else when it is before the end. A
/// start page past the total is still requested once (it is the first page, which brings the
/// total), and comes back empty.
fn may_request(page: u32, total: Option<u64>, page_size: u32) -> bool {
    total.is_none_or(|t| u64::from(page) < pages(t, page_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_never_overflow() {
        assert_eq!(pages(0, 5), 0);
        assert_eq!(pages(1, 5), 1);
        assert_eq!(pages(23, 5), 5);
        assert_eq!(pages(25, 5), 5);
        assert_eq!(pages(26, 5), 6);
        assert_eq!(pages(u64::MAX, 1), u64::MAX);
        assert_eq!(
            pages(u64::MAX, u32::MAX),
            u64::MAX.div_ceil(u64::from(u32::MAX))
        );
        // a page size of 0 is refused before any request; here it counts as 1, not a division
        // by zero
        assert_eq!(pages(7, 0), 7);
    }

    #[test]
    fn pages_past_the_total_are_not_requested() {
        // 23 files, pages of 5: pages 0 to 4
        assert!(may_request(4, Some(23), 5));
        assert!(!may_request(5, Some(23), 5));
        // a total smaller than the start page's offset: nothing after it
        assert!(!may_request(11, Some(23), 5));
        // a total of 0: no page holds files
        assert!(!may_request(0, Some(0), 5));
        // without a total, any page, the last page number included
        assert!(may_request(u32::MAX, None, 5));
        // a total large enough for page u32::MAX
        assert!(may_request(u32::MAX, Some(u64::MAX), 1));
        assert!(!may_request(u32::MAX, Some(u64::from(u32::MAX)), 1));
    }

    #[test]
    fn prefetch_is_1_to_the_maximum() {
        for n in [0, MAX_PREFETCH + 1, usize::MAX] {
            match check_prefetch(n) {
                Err(Error::InvalidInput { what, .. }) => assert_eq!(what, "prefetch"),
                other => panic!("prefetch {n}: {other:?}"),
            }
        }
        assert!(check_prefetch(1).is_ok());
        assert!(check_prefetch(MAX_PREFETCH).is_ok());
    }
}
