//! The blocking client (feature `blocking`) against the emulator: every operation, from plain
//! threads with no runtime of their own. The emulator runs on a runtime of the test's, in the
//! background.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mistral_files::blocking::Client;
use mistral_files::{Error, FileId, FilePurpose, Progress};
use mistral_files_emulator::RunningEmulator;
use mistral_files_test_support::{content, fast_retries, header, listed_pages, requests_to, KEY};

/// An emulator serving from a background runtime, and a blocking client of it. Fields drop in
/// order: the emulator stops before its runtime goes.
struct Setup {
    emu: RunningEmulator,
    client: Client,
    _rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = rt.block_on(mistral_files_test_support::emulator());
    let client = mistral_files::Client::builder()
        .api_key(KEY)
        .base_url(emu.url())
        .retry_policy(fast_retries())
        .build_blocking()
        .unwrap();
    Setup {
        emu,
        client,
        _rt: rt,
    }
}

#[test]
fn upload_from_path_bytes_and_reader_with_progress() {
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    let data = b"{\"a\":1}\n{\"a\":2}\n".repeat(40_000);
    std::fs::write(&path, &data).unwrap();

    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = seen.clone();
    let f = s
        .client
        .upload_path(&path)
        .purpose(FilePurpose::Batch)
        .on_progress(move |p| log.lock().unwrap().push(p))
        .send()
        .unwrap();
    assert_eq!(f.filename, "train.jsonl");
    assert_eq!(f.bytes, Some(data.len() as u64));
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(last.bytes_done, data.len() as u64);

    let b = s
        .client
        .upload_bytes("b.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap();
    assert_eq!(b.bytes, Some(3));

    let reader = std::io::Cursor::new(data.clone());
    let r = s
        .client
        .upload_reader("r.jsonl", reader, data.len() as u64)
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap();
    assert_eq!(r.bytes, Some(data.len() as u64));
    assert_eq!(r.signature, f.signature, "same content, same digest");

    // A short reader is an error, not a truncated file.
    let short = std::io::Cursor::new(b"{}\n".to_vec());
    let e = s
        .client
        .upload_reader("short.jsonl", short, 100)
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap_err();
    assert!(
        format!("{e:?}").contains("ended after 3 of 100 bytes"),
        "{e:?}"
    );
}

#[test]
fn list_pages_through_every_file_and_retrieve_delete() {
    let s = setup();
    let mut ids = Vec::new();
    for i in 0..5 {
        let f = s
            .client
            .upload_bytes(format!("f{i}.jsonl"), b"{}\n".to_vec())
            .purpose(FilePurpose::Batch)
            .send()
            .unwrap();
        ids.push(f.id);
    }
    let page = s.client.list().page_size(2).send().unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.total, Some(5));

    s.emu.clear_requests();
    let all: Vec<_> = s
        .client
        .list()
        .page_size(2)
        .purpose(FilePurpose::Batch)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(requests_to(&s.emu, "GET", "/v1/files").len(), 3, "3 pages");
    let mut listed: Vec<_> = all.iter().map(|f| f.id).collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);

    let got = s.client.retrieve(ids[0]).unwrap();
    assert_eq!(got.id, ids[0]);
    assert!(s.client.delete(ids[0]).unwrap().deleted);
    let e = s.client.retrieve(ids[0]).unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(s.client.list().iter().count(), 4);
}

#[test]
fn download_to_a_path_resumes_and_to_any_writer() {
    let s = setup();
    let data = content(2 * 1024 * 1024 + 3, 7);
    let f = s
        .client
        .upload_bytes("blob.jsonl", data.clone())
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    s.emu.clear_requests();
    s.emu.faults().cut_download_after(700_000);
    let n = s.client.download_to_path(f.id, &target).send().unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let gets = requests_to(&s.emu, "GET", &format!("/v1/files/{}/content", f.id));
    assert_eq!(gets.len(), 2, "cut once, resumed once");
    assert!(header(&gets[1], "range").is_some(), "resumed with Range");

    let e = s
        .client
        .download_to_path(f.id, &target)
        .overwrite(false)
        .send()
        .unwrap_err();
    assert!(matches!(e, Error::TargetExists { .. }), "{e:?}");

    let mut out = Vec::new();
    let dl = s.client.download(f.id).send().unwrap();
    assert_eq!(dl.content_length(), Some(data.len() as u64));
    assert_eq!(dl.copy_to(&mut out).unwrap(), data.len() as u64);
    assert_eq!(out, data);

    let mut read = Vec::new();
    s.client
        .download(f.id)
        .send()
        .unwrap()
        .read_to_end(&mut read)
        .unwrap();
    assert_eq!(read, data);
}

#[test]
fn signed_url_is_fetched_without_the_key() {
    let s = setup();
    let f = s
        .client
        .upload_bytes("s.jsonl", b"{\"x\":1}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap();
    let url = s
        .client
        .signed_url(f.id)
        .expiry(Duration::from_secs(3600))
        .send()
        .unwrap();
    s.emu.clear_requests();
    let mut body = String::new();
    s.client
        .fetch_signed_url(&url)
        .send()
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert_eq!(body, "{\"x\":1}\n");
    let dir = tempfile::tempdir().unwrap();
    let n = s
        .client
        .fetch_signed_url_to_path(&url, dir.path().join("s.jsonl"))
        .send()
        .unwrap();
    assert_eq!(n, 8);
    let fetches = s.emu.requests();
    assert_eq!(fetches.len(), 2);
    for r in &fetches {
        assert!(r.path.starts_with("/signed/"), "{}", r.path);
        assert!(!r.has_auth, "no key to the URL");
    }
}

#[test]
fn one_client_serves_many_threads() {
    let s = setup();
    let f = s
        .client
        .upload_bytes("t.jsonl", b"{}\n".to_vec())
        .purpose(FilePurpose::Batch)
        .send()
        .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let client = s.client.clone();
            scope.spawn(move || {
                for _ in 0..10 {
                    assert_eq!(client.retrieve(f.id).unwrap().id, f.id);
                }
            });
        }
    });
}

/// The blocking iterator prefetches as the async stream does: the same files in the same order,
/// the page requests overlapped, `None` again after the end, and a bad window as its first item.
#[test]
fn iteration_prefetches_the_same_files_in_the_same_order() {
    let Setup { emu, client, _rt } = setup();
    for i in 0..17 {
        client
            .upload_bytes(format!("f{i:02}.jsonl"), b"{}\n".to_vec())
            .purpose(FilePurpose::Batch)
            .send()
            .unwrap();
    }
    let ids = |n: usize| -> Vec<FileId> {
        emu.clear_requests();
        let req = client.list().page_size(4).prefetch(n);
        req.into_iter().map(|f| f.unwrap().id).collect()
    };
    let sequential = ids(1);
    assert_eq!(sequential.len(), 17);
    assert_eq!(listed_pages(&emu), [0, 1, 2, 3, 4]);
    assert_eq!(ids(3), sequential);
    let mut pages = listed_pages(&emu);
    pages.sort_unstable();
    assert_eq!(pages, [0, 1, 2, 3, 4]);
    // and it overlaps the requests as the stream does: 2 round trips instead of 5
    let latency = Duration::from_millis(200);
    emu.faults().set_latency(latency);
    let timed = |n: usize| {
        let started = Instant::now();
        assert_eq!(ids(n), sequential);
        started.elapsed()
    };
    let (one, four) = (timed(1), timed(4));
    assert!(one >= latency * 5, "{one:?}");
    assert!(
        four.as_secs_f64() < 0.7 * one.as_secs_f64(),
        "prefetch 4: {four:?}, prefetch 1: {one:?}"
    );
    emu.faults().set_latency(Duration::ZERO);
    // asked again after its end, the iterator says `None` again (it does not panic)
    let mut done = client.list().page_size(20).into_iter();
    assert_eq!(done.by_ref().count(), 17);
    assert!(done.next().is_none());
    assert!(done.next().is_none());
    let e = client
        .list()
        .prefetch(0)
        .iter()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidInput {
                what: "prefetch",
                ..
            }
        ),
        "{e:?}"
    );
    drop(client);
    drop(emu);
}
