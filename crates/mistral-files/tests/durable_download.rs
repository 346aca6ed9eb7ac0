//! `download_to_path`'s guarantee, watched from inside: when the partial copy is reported synced
//! it already holds the whole file and the target does not exist yet; the target appears only
//! after that, whole. Alone in its binary: it installs a global subscriber that looks at the
//! disk at the moment each event is emitted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use mistral_files::FilePurpose;
use mistral_files_test_support::setup;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// What the disk looked like when an event of the download was emitted.
#[derive(Debug, Clone)]
struct Seen {
    message: String,
    /// `written` / `bytes` of the event.
    bytes: Option<u64>,
    flushed_behind: Option<u64>,
    /// Length of the partial copy (`.NAME.ID.part` beside the target), if it exists.
    partial_len: Option<u64>,
    /// Length of the target, if it exists.
    target_len: Option<u64>,
}

#[derive(Default)]
struct Fields {
    message: String,
    bytes: Option<u64>,
    flushed_behind: Option<u64>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "written" | "bytes" => self.bytes = Some(value),
            "flushed_behind" => self.flushed_behind = Some(value),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

/// Records the download's events with a look at the target's directory.
struct Watch {
    target: PathBuf,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn partial_len(target: &Path) -> Option<u64> {
    let name = target.file_name()?.to_string_lossy().into_owned();
    std::fs::read_dir(target.parent()?)
        .ok()?
        .flatten()
        .find(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&format!(".{name}.")) && n.ends_with(".part")
        })
        .and_then(|e| e.metadata().ok())
        .map(|m| m.len())
}

impl<S: tracing::Subscriber> Layer<S> for Watch {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut f = Fields::default();
        event.record(&mut f);
        if !(f.message.contains("synced") || f.message.contains("placed")) {
            return;
        }
        self.seen.lock().unwrap().push(Seen {
            message: f.message,
            bytes: f.bytes,
            flushed_behind: f.flushed_behind,
            partial_len: partial_len(&self.target),
            target_len: std::fs::metadata(&self.target).ok().map(|m| m.len()),
        });
    }
}

#[tokio::test]
async fn the_copy_is_whole_and_synced_before_the_target_appears() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big.jsonl");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let watch = Watch {
        target: target.clone(),
        seen: seen.clone(),
    };
    let subscriber = tracing_subscriber::registry().with(
        watch.with_filter(
            tracing_subscriber::filter::Targets::new()
                .with_target("mistral_files", tracing::Level::DEBUG),
        ),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let (_emu, client) = setup().await;
    // 20 MiB: more than two write-behind windows, so some of it is flushed during the transfer
    let line = b"{\"text\": \"durable\"}\n";
    let body: Vec<u8> = line.iter().copied().cycle().take(20 << 20).collect();
    let size = body.len() as u64;
    let file = client
        .upload_bytes("big.jsonl", body)
        .purpose(FilePurpose::Batch)
        .await
        .unwrap();
    let n = client.download_to_path(file.id, &target).await.unwrap();
    assert_eq!(n, size);

    let seen = seen.lock().unwrap().clone();
    let synced = seen
        .iter()
        .position(|s| s.message.contains("partial copy synced"))
        .unwrap_or_else(|| panic!("no sync event: {seen:#?}"));
    let placed = seen
        .iter()
        .position(|s| s.message.contains("placed"))
        .unwrap_or_else(|| panic!("no placement event: {seen:#?}"));
    assert!(synced < placed, "synced before placed: {seen:#?}");

    let at_sync = &seen[synced];
    assert_eq!(at_sync.bytes, Some(size), "the whole file was written");
    assert_eq!(
        at_sync.partial_len,
        Some(size),
        "the copy is whole when synced"
    );
    assert_eq!(at_sync.target_len, None, "the target does not exist yet");
    if cfg!(target_os = "linux") {
        // windows at 8 and 16 MiB: the first was waited for during the transfer
        assert!(
            at_sync.flushed_behind.is_some_and(|b| b >= 8 << 20),
            "write-behind flushed during the transfer: {at_sync:?}"
        );
    }
    let at_place = &seen[placed];
    assert_eq!(at_place.target_len, Some(size), "the target appears whole");
    assert_eq!(at_place.partial_len, None, "the copy was moved, not copied");
    assert_eq!(std::fs::read(&target).unwrap().len() as u64, size);
}
