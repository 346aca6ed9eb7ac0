//! Bulk operations (`Selection`), against the emulator: deletes and downloads select exactly
//! the files asked for, every file gets one outcome, one failure spares the others, a second run
//! skips or resumes, and a storm of 429s is absorbed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use mistral_files::{
    Client, Concurrency, Downloaded, Error, FileId, FileObject, FileOutcome, FilePurpose, Progress,
    RetryPolicy,
};
use mistral_files_emulator::{Fault, RunningEmulator};
use mistral_files_test_support::*;

async fn emu() -> (RunningEmulator, Client) {
    let emu = emulator_with(|b| b.sync_writes(false).check_file_formats(false)).await;
    let client = client_for(&emu);
    (emu, client)
}

async fn upload(client: &Client, name: &str, data: Vec<u8>, purpose: FilePurpose) -> FileObject {
    client
        .upload_bytes(name, data)
        .purpose(purpose)
        .await
        .expect("upload")
}

/// Every file left, by id.
async fn remaining(client: &Client) -> Vec<FileId> {
    let mut ids: Vec<FileId> = client
        .list()
        .stream()
        .map_ok(|f| f.id)
        .try_collect()
        .await
        .unwrap();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<FileId>) -> Vec<FileId> {
    ids.sort();
    ids
}

#[tokio::test]
async fn delete_by_purpose_and_older_than_removes_exactly_the_selected_files() {
    let (_emu, client) = emu().await;
    let mut old_batches = Vec::new();
    for i in 0..3 {
        old_batches.push(
            upload(
                &client,
                &format!("old{i}.jsonl"),
                jsonl(2),
                FilePurpose::Batch,
            )
            .await
            .id,
        );
    }
    let old_ocr = upload(&client, "old.pdf", b"%PDF-1.4".to_vec(), FilePurpose::Ocr)
        .await
        .id;
    // created_at is in whole seconds: 3 s apart, an age of 2 s separates them surely
    tokio::time::sleep(Duration::from_secs(3)).await;
    let new_batch = upload(&client, "new.jsonl", jsonl(2), FilePurpose::Batch)
        .await
        .id;

    let selection = client
        .list()
        .purpose(FilePurpose::Batch)
        .select()
        .older_than(Duration::from_secs(2));
    let listed: Vec<FileId> = selection
        .files()
        .map_ok(|f| f.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sorted(listed), sorted(old_batches.clone()));

    let outcomes: Vec<FileOutcome<()>> = selection.delete().try_collect().await.unwrap();
    let deleted: Vec<FileId> = outcomes.iter().map(|o| o.file().id).collect();
    assert!(outcomes.iter().all(FileOutcome::is_ok), "{outcomes:?}");
    assert_eq!(sorted(deleted), sorted(old_batches));
    assert_eq!(remaining(&client).await, sorted(vec![old_ocr, new_batch]));
}

#[tokio::test]
async fn download_to_dir_fetches_every_matching_file_with_correct_bytes() {
    let (_emu, client) = emu().await;
    let mut expected = BTreeMap::new();
    for i in 0..6u64 {
        let data = content(10_000 + i as usize * 777, i);
        let name = format!("part-{i}.jsonl");
        upload(&client, &name, data.clone(), FilePurpose::Batch).await;
        expected.insert(name, data);
    }
    upload(&client, "other.jsonl", content(10, 99), FilePurpose::Batch).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("results");

    let outcomes: Vec<FileOutcome<Downloaded>> = client
        .select()
        .name("part-?.jsonl")
        .download_to_dir(&target)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 6);
    for o in &outcomes {
        let d = o.result().unwrap();
        assert!(!d.skipped());
        assert_eq!(d.path(), target.join(&o.file().filename));
        assert_eq!(d.bytes(), expected[&o.file().filename].len() as u64);
    }
    for (name, data) in &expected {
        assert_eq!(&std::fs::read(target.join(name)).unwrap(), data, "{name}");
    }
    assert!(!target.join("other.jsonl").exists());
}

#[tokio::test]
async fn name_collisions_get_unique_names() {
    let (_emu, client) = emu().await;
    let mut files = Vec::new();
    for seed in 0..3 {
        let f = upload(
            &client,
            "same.jsonl",
            content(500, seed),
            FilePurpose::Batch,
        )
        .await;
        files.push((f, content(500, seed)));
    }
    let dir = tempfile::tempdir().unwrap();
    let outcomes: Vec<_> = client
        .select()
        .download_to_dir(dir.path())
        .try_collect()
        .await
        .unwrap();
    assert!(outcomes.iter().all(FileOutcome::is_ok), "{outcomes:?}");

    // the oldest (then the smallest id) keeps the name, the others get their id's first 8
    files.sort_by_key(|(f, _)| (f.created_at, f.id.to_string()));
    for (i, (f, data)) in files.iter().enumerate() {
        let name = if i == 0 {
            "same.jsonl".to_string()
        } else {
            format!("same-{}.jsonl", &f.id.to_string()[..8])
        };
        assert_eq!(
            &std::fs::read(dir.path().join(&name)).unwrap(),
            data,
            "{name}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

/// The outcomes of downloading every file into `dir` with `client`, by file name.
async fn download_all(client: &Client, dir: &Path) -> BTreeMap<String, FileOutcome<Downloaded>> {
    client
        .select()
        .concurrency(Concurrency::fixed(2))
        .download_to_dir(dir)
        .map_ok(|o| (o.file().filename.clone(), o))
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn one_file_cut_half_way_fails_alone_and_a_second_run_resumes_it_and_skips_the_rest() {
    let (emu, client) = emu().await;
    let mut expected = BTreeMap::new();
    for i in 0..4u64 {
        let data = content(200_000, i);
        upload(
            &client,
            &format!("f{i}.jsonl"),
            data.clone(),
            FilePurpose::Batch,
        )
        .await;
        expected.insert(format!("f{i}.jsonl"), data);
    }
    let dir = tempfile::tempdir().unwrap();
    // without retries, the cut download is not reconnected: it fails, its partial copy kept
    let once = client_at(emu.url(), RetryPolicy::disabled());
    emu.faults().cut_download_after(50_000);
    let first = download_all(&once, dir.path()).await;
    let failed: Vec<&String> = first
        .iter()
        .filter(|(_, o)| !o.is_ok())
        .map(|(n, _)| n)
        .collect();
    assert_eq!(failed.len(), 1, "{first:?}");
    let cut = failed[0].clone();
    assert!(!dir.path().join(&cut).exists());
    for (name, o) in &first {
        if *name != cut {
            assert!(!o.result().unwrap().skipped());
            assert_eq!(
                std::fs::read(dir.path().join(name)).unwrap(),
                expected[name]
            );
        }
    }

    emu.clear_requests();
    let second = download_all(&client, dir.path()).await;
    for (name, o) in &second {
        let d = o.result().unwrap();
        assert_eq!(d.skipped(), *name != cut, "{name}");
        assert_eq!(std::fs::read(d.path()).unwrap(), expected[name]);
    }
    // one content request, for the cut file, continuing its partial copy
    let fetched = requests_to(&emu, "GET", "/v1/files/");
    let content: Vec<_> = fetched
        .iter()
        .filter(|r| r.path.ends_with("/content"))
        .collect();
    assert_eq!(content.len(), 1, "{fetched:?}");
    assert_eq!(header(content[0], "range"), Some("bytes=50000-"));
}

/// Every progress report of a bulk download of every file into `dir`, and the outcomes.
async fn download_counting(client: &Client, dir: &Path) -> (Vec<bool>, Vec<Progress>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let reports = Arc::clone(&seen);
    let outcomes: Vec<FileOutcome<Downloaded>> = client
        .select()
        .concurrency(Concurrency::fixed(2))
        .on_progress(move |p| reports.lock().unwrap().push(p))
        .download_to_dir(dir)
        .try_collect()
        .await
        .unwrap();
    let ok = outcomes.iter().map(FileOutcome::is_ok).collect();
    let seen = seen.lock().unwrap().clone();
    (ok, seen)
}

/// The largest sum reported, checking that every report carries the selection's total and
/// never exceeds it.
fn furthest(reports: &[Progress], total: u64) -> u64 {
    for p in reports {
        assert_eq!(p.total, Some(total), "{p:?}");
        assert!(p.bytes_done <= total, "{p:?}");
    }
    reports.iter().map(|p| p.bytes_done).max().unwrap_or(0)
}

#[tokio::test]
async fn download_progress_is_one_sum_that_counts_every_byte_once() {
    let (emu, client) = emu().await;
    for i in 0..4u64 {
        let name = format!("f{i}.jsonl");
        upload(&client, &name, content(200_000, i), FilePurpose::Batch).await;
    }
    let total = 800_000;

    // a download cut half-way and resumed by the client's retry (a transfer that starts again
    // from 0 is counted once too: the unit tests of bulk/progress.rs)
    let dir = tempfile::tempdir().unwrap();
    emu.faults().cut_download_after(50_000);
    let (ok, reports) = download_counting(&client, dir.path()).await;
    assert_eq!(ok, [true; 4]);
    assert_eq!(furthest(&reports, total), total);

    // without retries the cut file fails, short of the total by what it did not get
    let other = tempfile::tempdir().unwrap();
    let once = client_at(emu.url(), RetryPolicy::disabled());
    emu.faults().cut_download_after(50_000);
    let (ok, reports) = download_counting(&once, other.path()).await;
    assert_eq!(ok.iter().filter(|ok| !**ok).count(), 1, "{ok:?}");
    assert_eq!(furthest(&reports, total), total - 150_000);

    // a second run: the complete files count whole, the partial copy from where it stopped
    let (ok, reports) = download_counting(&client, other.path()).await;
    assert_eq!(ok, [true; 4]);
    assert_eq!(furthest(&reports, total), total);
}

#[tokio::test]
async fn an_existing_different_file_is_kept_unless_overwrite() {
    let (_emu, client) = emu().await;
    upload(&client, "a.jsonl", jsonl(3), FilePurpose::Batch).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jsonl"), b"mine").unwrap();

    let kept: Vec<_> = client
        .select()
        .download_to_dir(dir.path())
        .try_collect()
        .await
        .unwrap();
    match kept[0].result() {
        Err(Error::TargetExists { path }) => assert_eq!(path, &dir.path().join("a.jsonl")),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(dir.path().join("a.jsonl")).unwrap(), b"mine");

    let replaced: Vec<_> = client
        .select()
        .overwrite(true)
        .download_to_dir(dir.path())
        .try_collect()
        .await
        .unwrap();
    assert!(!replaced[0].result().unwrap().skipped());
    assert_eq!(std::fs::read(dir.path().join("a.jsonl")).unwrap(), jsonl(3));
}

#[tokio::test]
async fn a_429_storm_is_absorbed_and_every_file_is_deleted() {
    let (emu, _) = emu().await;
    let client = client_at(emu.url(), fast_retries().with_max_attempts(10));
    for i in 0..24 {
        upload(
            &client,
            &format!("f{i}.jsonl"),
            jsonl(1),
            FilePurpose::Batch,
        )
        .await;
    }
    emu.clear_requests();
    // a fifth of the requests refused with 429 and `Retry-After: 1`, the listing's too
    // (seeded: the same requests in the same order get the same refusals)
    let refuse = Fault::Refuse {
        status: 429,
        retry_after: Duration::from_secs(1),
    };
    emu.faults().inject_at_rate(0.2, 7, &[refuse]);

    let selection = client.select().concurrency(Concurrency::adaptive(32));
    let outcomes: Vec<FileOutcome<()>> = selection.delete().try_collect().await.unwrap();
    emu.faults().inject_at_rate(0.0, 0, &[]);
    assert_eq!(outcomes.len(), 24);
    assert!(outcomes.iter().all(FileOutcome::is_ok), "{outcomes:?}");
    let mut ids: Vec<FileId> = outcomes.iter().map(|o| o.file().id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24, "one outcome per file");
    assert!(remaining(&client).await.is_empty());
    // refused deletes were sent again: more than one request per file
    let deletes = requests_to(&emu, "DELETE", "/v1/files/").len();
    assert!(deletes > 24, "{deletes}");
}

#[tokio::test]
async fn a_listing_that_fails_deletes_nothing() {
    let (emu, client) = emu().await;
    upload(&client, "keep.jsonl", jsonl(1), FilePurpose::Batch).await;
    emu.faults().fail_next(1, 400, None);
    let items: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(client.select().delete()).await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(400)
    );
    assert_eq!(remaining(&client).await.len(), 1);
}

#[tokio::test]
async fn list_all_then_delete_acts_on_exactly_the_listed_files() {
    let (_emu, client) = emu().await;
    let a = upload(&client, "tmp-a.jsonl", jsonl(1), FilePurpose::Batch).await;
    let b = upload(&client, "tmp-b.jsonl", jsonl(2), FilePurpose::Batch).await;
    upload(&client, "keep.jsonl", jsonl(1), FilePurpose::Batch).await;
    let selected = client.select().name("tmp-*").list_all().await.unwrap();
    assert_eq!(selected.len(), 2);
    assert_eq!(selected.total_bytes(), a.bytes.unwrap() + b.bytes.unwrap());
    // matches the selection, but was not listed: not deleted
    let late = upload(&client, "tmp-late.jsonl", jsonl(1), FilePurpose::Batch).await;

    let outcomes: Vec<FileOutcome<()>> = futures_util::StreamExt::collect(selected.delete()).await;
    let deleted: Vec<FileId> = outcomes.iter().map(|o| o.file().id).collect();
    assert!(outcomes.iter().all(FileOutcome::is_ok), "{outcomes:?}");
    assert_eq!(sorted(deleted), sorted(vec![a.id, b.id]));
    assert!(remaining(&client).await.contains(&late.id));
}

#[tokio::test]
async fn a_file_listed_twice_is_selected_once() {
    // pages of 2: the second page repeats the first page's last file, as when a file uploaded
    // while paging shifts the pages by one
    let file = |id: &str, name: &str| {
        format!(
            r#"{{"id":"{id}","object":"file","bytes":1,"created_at":1,"filename":"{name}","purpose":"batch","sample_type":"batch_result","source":"mistral"}}"#
        )
    };
    let (a, b, c) = (
        "aaaaaaaa-0000-4000-8000-000000000001",
        "bbbbbbbb-0000-4000-8000-000000000002",
        "cccccccc-0000-4000-8000-000000000003",
    );
    let pages = [
        format!(
            r#"{{"object":"list","data":[{},{}],"total":4}}"#,
            file(a, "a"),
            file(b, "b")
        ),
        format!(
            r#"{{"object":"list","data":[{},{}],"total":4}}"#,
            file(b, "b"),
            file(c, "c")
        ),
    ];
    let server = ScriptedServer::start(move |_, head| {
        let page = usize::from(head.contains("page=1"));
        Reply::Bytes(json_200(&pages[page]))
    })
    .await;
    let client = client_at(&server.url, RetryPolicy::disabled());
    let selected = client
        .list()
        .page_size(2)
        .select()
        .list_all()
        .await
        .unwrap();
    let ids: Vec<String> = selected.files().iter().map(|f| f.id.to_string()).collect();
    assert_eq!(ids, [a, b, c]);
}
