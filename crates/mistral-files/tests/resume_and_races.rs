//! Downloads to a file across runs and against other writers: a partial copy left by an earlier
//! run is resumed only while it still matches the file, two downloads never share one, and
//! "no overwrite" holds even against a file created while the download runs. (The cross-process
//! cases, with the `mistral-files` binary killed by SIGKILL and SIGTERM, are in the CLI's
//! `signals.rs`.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mistral_files::Error;
use mistral_files_test_support::http::eventually;
use mistral_files_test_support::*;

/// The partial copy and its record beside `dir/name` for file `id`.
fn partial_paths(
    dir: &std::path::Path,
    name: &str,
    id: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    (
        dir.join(format!(".{name}.{id}.part")),
        dir.join(format!(".{name}.{id}.meta")),
    )
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_partial_that_no_longer_matches_is_discarded_and_the_download_restarts() {
    let (emu, client) = setup().await;
    let (f, data) = uploaded_batch(&client, 700_000, 11).await;
    let id = f.id.to_string();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("d.bin");
    let (part, meta) = partial_paths(dir.path(), "d.bin", &id);
    let garbage = vec![b'#'; 300_000];

    // 1. recorded under another ETag (the file changed): sent with If-Range, the server answers
    //    the whole file, and the stale bytes are gone
    std::fs::write(&part, &garbage).unwrap();
    std::fs::write(
        &meta,
        format!(r#"{{"version":1,"source":"{id}","total":700000,"validator":"\"stale\""}}"#),
    )
    .unwrap();
    emu.clear_requests();
    client.download_to_path(f.id, &target).await.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let gets = requests_to(&emu, "GET", &format!("/v1/files/{id}/content"));
    assert_eq!(header(&gets[0], "range"), Some("bytes=300000-"));
    assert_eq!(header(&gets[0], "if-range"), Some("\"stale\""));
    assert_eq!(names_in(dir.path()), ["d.bin"]);

    // 2. recorded with another length than the API reports, 3. recorded for another file,
    // 4. longer than the file, 5. no record at all: not even asked for, started over
    let records = [
        Some(format!(
            r#"{{"version":1,"source":"{id}","total":5,"validator":"\"x\""}}"#
        )),
        Some(
            r#"{"version":1,"source":"3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e","total":700000,"validator":"\"x\""}"#
                .to_string(),
        ),
        Some(format!(
            r#"{{"version":1,"source":"{id}","total":null,"validator":"\"x\""}}"#
        )),
        None,
        Some("{not json".to_string()),
    ];
    for (i, record) in records.into_iter().enumerate() {
        std::fs::remove_file(&target).unwrap();
        let bytes = if i == 2 {
            vec![b'#'; 800_000]
        } else {
            garbage.clone()
        };
        std::fs::write(&part, &bytes).unwrap();
        if let Some(r) = &record {
            std::fs::write(&meta, r).unwrap();
        }
        emu.clear_requests();
        client.download_to_path(f.id, &target).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), data, "case {i}");
        let gets = requests_to(&emu, "GET", &format!("/v1/files/{id}/content"));
        assert_eq!(header(&gets[0], "range"), None, "case {i}: {record:?}");
        assert_eq!(names_in(dir.path()), ["d.bin"], "case {i}");
    }

    // 6. complete but never moved (killed just before the rename): resumed one byte short, so
    //    the server still confirms it
    std::fs::remove_file(&target).unwrap();
    client.download_to_path(f.id, &target).await.unwrap();
    std::fs::rename(&target, &part).unwrap();
    let resp_etag = {
        let resp = reqwest::Client::new()
            .get(format!("{}/v1/files/{id}/content", emu.url()))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        resp.headers()["etag"].to_str().unwrap().to_string()
    };
    std::fs::write(
        &meta,
        serde_json::json!({"version": 1, "source": id, "total": 700000, "validator": resp_etag})
            .to_string(),
    )
    .unwrap();
    emu.clear_requests();
    assert_eq!(
        client.download_to_path(f.id, &target).await.unwrap(),
        700_000
    );
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let gets = requests_to(&emu, "GET", &format!("/v1/files/{id}/content"));
    assert_eq!(header(&gets[0], "range"), Some("bytes=699999-"));
    assert_eq!(names_in(dir.path()), ["d.bin"]);
}

#[tokio::test]
async fn two_downloads_to_one_target_never_share_a_partial() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (f, data) = uploaded_batch(&client, 2 * 1024 * 1024, 12).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t.bin");
    emu.faults().throttle_download(4 * 1024 * 1024);
    let first = tokio::spawn({
        let (client, target) = (client.clone(), target.clone());
        async move { client.download_to_path(f.id, &target).await }
    });
    let part = dir.path().join(format!(".t.bin.{}.part", f.id));
    assert!(eventually(|| std::fs::metadata(&part).is_ok_and(|m| m.len() > 0)).await);
    let e = client.download_to_path(f.id, &target).await.unwrap_err();
    match &e {
        Error::Io { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::WouldBlock, "{e}")
        }
        other => panic!("{other:?}"),
    }
    emu.faults().reset();
    first.await.unwrap().unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(names_in(dir.path()), ["t.bin"]);
}

/// `overwrite(false)` against a writer that creates the target while the download runs (as soon
/// as all the content has arrived, i.e. between the start's check and the final move, and at
/// other points): in every round exactly one of them wins, and the loser never replaces or
/// truncates the winner's file.
#[tokio::test]
async fn no_overwrite_is_atomic_against_a_racing_writer() {
    let (_emu, client) = setup().await;
    let (f, data) = uploaded_batch(&client, 200_000, 13).await;
    let dir = tempfile::tempdir().unwrap();
    let writer_bytes = b"the other writer's file".to_vec();
    for round in 0..40u64 {
        let target = dir.path().join(format!("t{round}.bin"));
        // the writer creates the target (O_EXCL) once the download has received `at` bytes
        let at = [200_000u64, 150_000, 1, 199_999][(round % 4) as usize];
        let go = Arc::new(AtomicBool::new(false));
        let writer = std::thread::spawn({
            let (go, target, bytes) = (go.clone(), target.clone(), writer_bytes.clone());
            move || {
                while !go.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                use std::io::Write;
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                {
                    Ok(mut file) => {
                        file.write_all(&bytes).unwrap();
                        true
                    }
                    Err(_) => false,
                }
            }
        });
        let trigger = go.clone();
        let result = client
            .download_to_path(f.id, &target)
            .overwrite(false)
            .on_progress(move |p| {
                if p.bytes_done >= at {
                    trigger.store(true, Ordering::Release);
                }
            })
            .await;
        go.store(true, Ordering::Release);
        let writer_won = writer.join().unwrap();
        let on_disk = std::fs::read(&target).unwrap();
        match result {
            Ok(n) => {
                assert!(
                    !writer_won,
                    "round {round}: both won, the writer's file was replaced"
                );
                assert_eq!(
                    (n, on_disk),
                    (data.len() as u64, data.clone()),
                    "round {round}"
                );
            }
            Err(Error::TargetExists { .. }) => {
                assert!(
                    writer_won,
                    "round {round}: TargetExists but the writer lost"
                );
                assert_eq!(
                    on_disk, writer_bytes,
                    "round {round}: the writer's file is intact"
                );
            }
            Err(e) => panic!("round {round}: {e:?}"),
        }
    }
    // no partial copies are left behind
    assert!(names_in(dir.path()).iter().all(|n| !n.starts_with('.')));
}
