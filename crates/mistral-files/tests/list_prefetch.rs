//! The listing stream's prefetching (`ListRequest::prefetch`), against the emulator (and, for a
//! failure on one exact page, a scripted server): the files come complete and in page order
//! whatever the window, no page past the total is requested, requests overlap, and errors,
//! retries, cancellation and bad settings behave as documented on `ListRequest::stream`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use mistral_files::{Client, Error, FileId, FilePurpose, ListRequest, DEFAULT_PREFETCH};
use mistral_files_emulator::RunningEmulator;
use mistral_files_test_support::*;

/// An emulator holding `n` small batch files, a client of it (fast retries), and an empty
/// request log.
async fn seeded(n: usize) -> (RunningEmulator, Client) {
    let emu = emulator_with(|b| b.sync_writes(false)).await;
    let client = client_for(&emu);
    for i in 0..n {
        client
            .upload_bytes(format!("f{i:02}.jsonl"), b"{}\n".to_vec())
            .purpose(FilePurpose::Batch)
            .await
            .unwrap();
    }
    emu.clear_requests();
    (emu, client)
}

/// The ids on pages `from`, `from + 1`, ... of `page_size`, one `send()` a page until a short
/// one: the order a listing stream must reproduce. Clears the request log after.
async fn by_pages(
    emu: &RunningEmulator,
    client: &Client,
    page_size: u32,
    from: u32,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    for page in from.. {
        let p = client
            .list()
            .page(page)
            .page_size(page_size)
            .send()
            .await
            .unwrap();
        ids.extend(p.data.iter().map(|f| f.id));
        if p.data.len() < page_size as usize {
            break;
        }
    }
    emu.clear_requests();
    ids
}

/// The ids a listing stream yields, panicking on an error.
async fn streamed(req: ListRequest) -> Vec<FileId> {
    req.into_stream()
        .map_ok(|f| f.id)
        .try_collect()
        .await
        .unwrap()
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v
}

#[tokio::test]
async fn prefetch_yields_every_file_in_page_order_and_no_page_past_the_total() {
    let (emu, client) = seeded(23).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    assert_eq!(expected.len(), 23);

    for n in [1, 2, 4, 8] {
        let got = streamed(client.list().page_size(5).prefetch(n)).await;
        assert_eq!(got, expected, "prefetch {n}");
        // 5 pages, each asked for once: none past the total (page 5 would be empty)
        let pages = listed_pages(&emu);
        assert_eq!(sorted(pages.clone()), [0, 1, 2, 3, 4], "prefetch {n}");
        // the first page alone (it brings the total), and the total counted only with it
        assert_eq!(pages[0], 0);
        let log = requests_to(&emu, "GET", "/v1/files");
        let asked: Vec<Vec<&str>> = log
            .iter()
            .map(|r| query_values(r, "include_total"))
            .collect();
        assert_eq!(asked[0], Vec::<&str>::new(), "prefetch {n}");
        assert!(
            asked[1..].iter().all(|a| a == &["false"]),
            "prefetch {n}: {asked:?}"
        );
        emu.clear_requests();
    }

    // the default ceiling is DEFAULT_PREFETCH (16, an adaptive window starting at 4): same
    // files, same order, same pages
    assert_eq!(DEFAULT_PREFETCH, 16);
    assert_eq!(streamed(client.list().page_size(5)).await, expected);
    assert_eq!(sorted(listed_pages(&emu)), [0, 1, 2, 3, 4]);
}

/// Lists 30 files in pages of 5 with a window of `n` while every response takes `latency`;
/// the number of list requests received 1.5 latencies in (page 0 answered, the next round in
/// flight), the pages in arrival order, and the time it all took.
async fn timed_listing(
    emu: &RunningEmulator,
    client: &Client,
    n: usize,
    latency: Duration,
) -> (usize, Vec<u32>, Duration, Vec<FileId>) {
    emu.clear_requests();
    let started = Instant::now();
    let listing = tokio::spawn(streamed(client.list().page_size(5).prefetch(n)));
    tokio::time::sleep(latency + latency / 2).await;
    let midway = listed_pages(emu).len();
    let ids = listing.await.unwrap();
    (midway, listed_pages(emu), started.elapsed(), ids)
}

#[tokio::test]
async fn prefetch_overlaps_the_page_requests() {
    let (emu, client) = seeded(30).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    let latency = Duration::from_millis(300);
    emu.faults().set_latency(latency);

    let (midway, pages, sequential, ids) = timed_listing(&emu, &client, 1, latency).await;
    assert_eq!(ids, expected);
    // one request at a time: page 0 answered, page 1 waiting
    assert_eq!(midway, 2, "prefetch 1");
    assert_eq!(pages, [0, 1, 2, 3, 4, 5]);
    assert!(sequential >= latency * 6, "{sequential:?}");

    let (midway, pages, prefetched, ids) = timed_listing(&emu, &client, 4, latency).await;
    assert_eq!(ids, expected);
    // page 0 answered, then pages 1 to 4 asked for at once, page 5 after them
    assert_eq!(midway, 5, "prefetch 4");
    assert_eq!(pages[0], 0);
    assert_eq!(sorted(pages[1..5].to_vec()), [1, 2, 3, 4]);
    assert_eq!(pages[5..], [5]);
    // 3 round trips instead of 6; the bound is generous (the request counts above are the proof)
    assert!(
        prefetched.as_secs_f64() < 0.7 * sequential.as_secs_f64(),
        "prefetch 4: {prefetched:?}, prefetch 1: {sequential:?}"
    );
}

#[tokio::test]
async fn start_page_uneven_pages_and_an_empty_listing() {
    let (emu, client) = seeded(23).await;

    // from page 2 of 5: pages 2, 3 and 4 (3 files, short), the total counted from page 0
    let expected = by_pages(&emu, &client, 5, 2).await;
    assert_eq!(expected.len(), 13);
    assert_eq!(
        streamed(client.list().page(2).page_size(5).prefetch(4)).await,
        expected
    );
    assert_eq!(sorted(listed_pages(&emu)), [2, 3, 4]);
    emu.clear_requests();

    // a start page past the total: one request, nothing yielded
    for start in [5, 7, u32::MAX] {
        let got = streamed(client.list().page(start).page_size(5).prefetch(4)).await;
        assert!(got.is_empty(), "page {start}: {got:?}");
        assert_eq!(listed_pages(&emu), [start]);
        emu.clear_requests();
    }

    // pages of 7: 7 + 7 + 7 + 2, four requests
    let expected = by_pages(&emu, &client, 7, 0).await;
    assert_eq!(expected.len(), 23);
    assert_eq!(
        streamed(client.list().page_size(7).prefetch(3)).await,
        expected
    );
    assert_eq!(sorted(listed_pages(&emu)), [0, 1, 2, 3]);
    emu.clear_requests();

    // one page holding all: the total is reached, nothing more asked for
    assert_eq!(streamed(client.list().page_size(23)).await.len(), 23);
    assert_eq!(listed_pages(&emu), [0]);

    // nothing to list: one request, an empty stream
    let (empty, client) = seeded(0).await;
    assert!(streamed(client.list().page_size(5).prefetch(4))
        .await
        .is_empty());
    assert_eq!(listed_pages(&empty), [0]);
}

#[tokio::test]
async fn without_a_total_pages_come_one_after_another() {
    let (emu, client) = seeded(23).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    let latency = Duration::from_millis(150);
    emu.faults().set_latency(latency);
    let started = Instant::now();
    let got = streamed(client.list().page_size(5).include_total(false).prefetch(8)).await;
    let elapsed = started.elapsed();
    assert_eq!(got, expected);
    // in order, ended by the short page 4
    assert_eq!(listed_pages(&emu), [0, 1, 2, 3, 4]);
    // five round trips one after another: overlapping ones would take about two
    assert!(elapsed >= latency * 5, "{elapsed:?}");
}

#[tokio::test]
async fn every_page_in_flight_failing_yields_the_first_page_then_one_error() {
    let (emu, client) = seeded(23).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    let mut files = std::pin::pin!(client.list().page_size(5).prefetch(4).stream());
    let first = files.next().await.unwrap().unwrap();
    assert_eq!(first.id, expected[0]);
    assert_eq!(listed_pages(&emu), [0]);
    // the next 4 requests, any of pages 1 to 4 whatever their arrival order, are refused
    emu.faults().fail_next(4, 400, None);
    let mut ids = vec![first.id];
    let error = loop {
        match files.next().await {
            Some(Ok(f)) => ids.push(f.id),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without the error"),
        }
    };
    assert_eq!(ids, expected[..5]);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(!error.is_retryable());
    assert!(files.next().await.is_none());
    assert!(files.next().await.is_none());
    // 400 is not retried: page 0, page 1 (the one waited for), and whichever of pages 2 to 4
    // reached the emulator before page 1's error dropped them, each once
    let pages = sorted(listed_pages(&emu));
    assert_eq!(pages[..2], [0, 1], "{pages:?}");
    assert!(pages.windows(2).all(|w| w[0] < w[1]), "{pages:?}");
    assert!(pages.iter().all(|&p| p <= 4), "{pages:?}");
}

#[tokio::test]
async fn one_page_failing_among_those_in_flight_yields_the_pages_before_it() {
    let (emu, client) = seeded(40).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    let mut files = std::pin::pin!(client.list().page_size(5).prefetch(4).stream());
    let first = files.next().await.unwrap().unwrap();
    // one of pages 1 to 4 (whichever the emulator answers first) is refused
    emu.faults().fail_next(1, 400, None);
    let mut ids = vec![first.id];
    let mut errors = Vec::new();
    while let Some(item) = files.next().await {
        match item {
            Ok(f) if errors.is_empty() => ids.push(f.id),
            Ok(f) => panic!("{} yielded after the error", f.id),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].status().map(|s| s.as_u16()), Some(400));
    // whole pages before the refused one, in order, and not page 0 alone past page 4
    assert_eq!(ids.len() % 5, 0, "{} files", ids.len());
    assert!((5..=20).contains(&ids.len()), "{} files", ids.len());
    assert_eq!(ids, expected[..ids.len()]);
}

/// A list response of `n` files numbered from `first`, with a total of `total`.
fn page_body(first: usize, n: usize, total: usize) -> String {
    let files: Vec<String> = (first..first + n)
        .map(|i| {
            format!(
                r#"{{"id":"00000000-0000-4000-8000-{i:012}","object":"file","bytes":3,"created_at":1700000000,"filename":"f{i}.jsonl","purpose":"batch","sample_type":"batch_request","source":"upload"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"object":"list","total":{total}}}"#,
        files.join(",")
    )
}

/// The `page` query value of a request head.
fn page_of(head: &str) -> usize {
    let query = head.split_whitespace().nth(1).unwrap_or("");
    query
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX)
}

#[tokio::test]
async fn a_refused_page_ends_the_stream_after_the_pages_before_it() {
    // 30 files in 6 pages of 5; page 3 is refused with a 400, every time
    let server = ScriptedServer::start(|_, head| {
        let page = page_of(head);
        if page == 3 {
            let body = r#"{"object":"error","message":"no page 3","type":"invalid_request_error","param":null,"code":null}"#;
            return http_response(
                "400 Bad Request",
                &[
                    ("content-type", "application/json".to_string()),
                    ("content-length", body.len().to_string()),
                ],
                body.as_bytes(),
            );
        }
        json_200(&page_body(page * 5, 5, 30))
    })
    .await;
    let client = client_at(&server.url, fast_retries());
    let items: Vec<_> = client
        .list()
        .page_size(5)
        .prefetch(4)
        .stream()
        .collect()
        .await;
    // pages 0, 1 and 2 in order, then the error, then the end
    assert_eq!(items.len(), 16);
    for (i, item) in items[..15].iter().enumerate() {
        let id = item.as_ref().unwrap().id.to_string();
        assert_eq!(id, format!("00000000-0000-4000-8000-{i:012}"));
    }
    let e = items[15].as_ref().unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    // pages 0 to 3 asked for once each (a 400 is not retried); pages 4 and 5 at most once (they
    // may have been in flight with page 3, depending on how fast pages 1 and 2 came back); none
    // past the total
    let pages: Vec<u32> = server.heads().iter().map(|h| page_of(h) as u32).collect();
    let mut distinct = pages.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        pages.len(),
        "a page asked for twice: {pages:?}"
    );
    assert_eq!(distinct[..4], [0, 1, 2, 3], "{pages:?}");
    assert!(distinct.iter().all(|&p| p <= 5), "{pages:?}");
}

#[tokio::test]
async fn a_retryable_failure_on_a_prefetched_page_is_retried_in_place() {
    let (emu, client) = seeded(23).await;
    let expected = by_pages(&emu, &client, 5, 0).await;
    for status in [503, 429] {
        let mut files = std::pin::pin!(client.list().page_size(5).prefetch(4).stream());
        let first = files.next().await.unwrap().unwrap();
        // one of pages 1 to 4 gets it, and is asked for again
        emu.faults().fail_next(1, status, None);
        let mut ids = vec![first.id];
        while let Some(f) = files.next().await {
            ids.push(f.unwrap().id);
        }
        assert_eq!(ids, expected, "{status}");
        let pages = listed_pages(&emu);
        assert_eq!(
            pages.len(),
            6,
            "{status}: 5 pages, one of them twice: {pages:?}"
        );
        let mut distinct = pages.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct, [0, 1, 2, 3, 4], "{status}");
        emu.clear_requests();
    }

    // the same through the scripted server, on one exact page: page 2's first answer is a 503
    let refused_once = Arc::new(AtomicBool::new(false));
    let flag = refused_once.clone();
    let server = ScriptedServer::start(move |_, head| {
        let page = page_of(head);
        if page == 2 && !flag.swap(true, Ordering::SeqCst) {
            return http_response(
                "503 Service Unavailable",
                &[("content-length", "0".into())],
                b"",
            );
        }
        json_200(&page_body(
            page * 5,
            5.min(23usize.saturating_sub(page * 5)),
            23,
        ))
    })
    .await;
    let client = client_at(&server.url, fast_retries());
    let ids: Vec<String> = streamed(client.list().page_size(5).prefetch(4))
        .await
        .iter()
        .map(ToString::to_string)
        .collect();
    let want: Vec<String> = (0..23)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    assert_eq!(ids, want);
    assert!(refused_once.load(Ordering::SeqCst));
    let pages: Vec<usize> = server.heads().iter().map(|h| page_of(h)).collect();
    assert_eq!(pages.iter().filter(|&&p| p == 2).count(), 2, "{pages:?}");
    assert_eq!(pages.len(), 6, "{pages:?}");
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    let (emu, client) = seeded(40).await;
    let latency = Duration::from_millis(400);
    emu.faults().set_latency(latency);
    let mut files = Box::pin(client.list().page_size(5).prefetch(4).stream());
    for _ in 0..5 {
        files.next().await.unwrap().unwrap();
    }
    // page 0 used up: the next item waits for pages 1 to 4, asked for at once
    let waited = tokio::time::timeout(latency / 3, files.next()).await;
    assert!(waited.is_err(), "page 1 came back before its latency");
    assert_eq!(sorted(listed_pages(&emu)), [0, 1, 2, 3, 4]);
    drop(files);
    // nothing keeps paging once the stream is gone: no page 5 to 7, however long we wait
    tokio::time::sleep(latency * 3).await;
    assert_eq!(listed_pages(&emu).len(), 1 + 4);
}

#[tokio::test]
async fn prefetch_0_or_too_large_is_the_first_item_and_no_request() {
    let (emu, client) = seeded(3).await;
    for n in [0, 65, usize::MAX] {
        let items: Vec<_> = client.list().prefetch(n).stream().collect().await;
        assert_eq!(items.len(), 1, "prefetch {n}");
        match &items[0] {
            Err(Error::InvalidInput { what, .. }) => assert_eq!(*what, "prefetch"),
            other => panic!("prefetch {n}: {other:?}"),
        }
    }
    assert!(emu.requests().is_empty());
    // the setting is the stream's: one page ignores it
    assert_eq!(
        client.list().prefetch(0).send().await.unwrap().data.len(),
        3
    );
    // the largest window is accepted
    assert_eq!(
        streamed(client.list().page_size(1).prefetch(64))
            .await
            .len(),
        3
    );
}
