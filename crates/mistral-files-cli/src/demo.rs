//! `mistral-files demo`: the whole Files API flow against an in-process emulator, each step checked.
//!
//! Needs no key, no network and no configuration: it takes no client options, ignores
//! `MISTRAL_API_KEY` and `MISTRAL_BASE_URL`, and uses its own emulator on a free loopback port with a temporary store.

use std::time::Duration;

use futures_util::TryStreamExt;
use mistral_files::{Client, FileId, FileObject, FilePurpose};
use mistral_files_emulator::{Emulator, RunningEmulator};
use serde_json::{json, Value};

use crate::args::DemoArgs;
use crate::error::CliError;
use crate::format;
use crate::output::Out;
use crate::table;

/// The key the demo's emulator expects (local only; not a real key).
const DEMO_KEY: &str = "demo-key";

/// The sample fine-tuning file the demo uploads.
const SAMPLE: &str = concat!(
    r#"{"messages":[{"role":"user","content":"What is the capital of France?"},{"role":"assistant","content":"Paris."}]}"#,
    "\n",
    r#"{"messages":[{"role":"user","content":"2 + 2?"},{"role":"assistant","content":"4."}]}"#,
    "\n",
    r#"{"messages":[{"role":"user","content":"Translate 'merci'"},{"role":"assistant","content":"Thank you."}]}"#,
    "\n",
);

/// One step of the demo: its machine name (the `step` of `--json` output) and its title.
#[derive(Clone, Copy)]
struct Step {
    name: &'static str,
    title: &'static str,
}

const START: Step = Step {
    name: "start",
    title: "start the emulator",
};
const UPLOAD: Step = Step {
    name: "upload",
    title: "upload sample.jsonl",
};
const LIST: Step = Step {
    name: "list",
    title: "list files",
};
const RETRIEVE: Step = Step {
    name: "retrieve",
    title: "retrieve it",
};
const SIGNED_URL: Step = Step {
    name: "signed_url",
    title: "signed URL",
};
const DOWNLOAD: Step = Step {
    name: "download",
    title: "download and compare",
};
const DELETE: Step = Step {
    name: "delete",
    title: "delete it",
};
const GONE: Step = Step {
    name: "gone",
    title: "retrieve after delete",
};

/// Prints steps as they pass (`✓ ...`) or fail (`✗ ...`).
struct Steps<'a> {
    out: &'a Out,
    passed: usize,
}

impl Steps<'_> {
    /// A step passed: prints `✓ title: detail`, or a JSON document.
    fn ok(&mut self, step: Step, detail: String, extra: Value) -> Result<(), CliError> {
        self.passed += 1;
        self.out.line(format!("✓ {}: {detail}", step.title))?;
        let mut doc = json!({ "step": step.name, "ok": true, "detail": detail });
        if let (Value::Object(d), Value::Object(e)) = (&mut doc, extra) {
            d.extend(e);
        }
        self.out.item(&doc)
    }

    /// A step failed: prints `✗ title: why` and returns the error that ends the demo.
    fn fail(&self, step: Step, why: impl Into<String>) -> CliError {
        let why = why.into();
        let _ = self.out.line(format!("✗ {}: {why}", step.title));
        let _ = self
            .out
            .item(&json!({ "step": step.name, "ok": false, "detail": why }));
        CliError::failure(format!(
            "the demo failed at step {:?} after {} passed steps: {why}",
            step.name, self.passed
        ))
    }

    /// Maps any error into the failure of `step`, for `map_err`.
    fn failed<E: std::fmt::Display>(&self, step: Step) -> impl Fn(E) -> CliError + '_ {
        move |e| self.fail(step, e.to_string())
    }

    /// Checks `cond`, or fails the step with `why`.
    fn check(&self, cond: bool, step: Step, why: impl FnOnce() -> String) -> Result<(), CliError> {
        if cond {
            Ok(())
        } else {
            Err(self.fail(step, why()))
        }
    }
}

/// What the steps share: the emulator, a client for it, a scratch directory.
struct Flow {
    emu: RunningEmulator,
    client: Client,
    dir: tempfile::TempDir,
}

/// Runs the demo. With `--json` its steps are one array (written when the demo ends, failed or
/// not); with `--jsonl` one line per step as it passes.
pub async fn demo(args: DemoArgs, out: &Out) -> Result<(), CliError> {
    let res = run(args, out).await;
    out.end_list()?;
    res
}

/// The steps, one after the other; the first failure ends the demo.
async fn run(args: DemoArgs, out: &Out) -> Result<(), CliError> {
    let mut steps = Steps { out, passed: 0 };
    out.line("mistral-files demo: the whole Files API flow against a local emulator (no key, no network)")?;
    let flow = start(&mut steps).await?;
    let uploaded = upload(&mut steps, &flow).await?;
    list(&mut steps, &flow, &uploaded).await?;
    retrieve(&mut steps, &flow, &uploaded).await?;
    signed_url(&mut steps, &flow, uploaded.id).await?;
    download(&mut steps, &flow, uploaded.id).await?;
    delete(&mut steps, &flow, uploaded.id).await?;
    gone(&mut steps, &flow, uploaded.id).await?;

    out.line(format!("All {} steps passed.", steps.passed))?;
    out.item(&json!({ "step": "summary", "ok": true, "passed": steps.passed }))?;
    if args.keep {
        out.end_list()?;
        out.line(format!(
            "The emulator keeps running at {} (key {DEMO_KEY}); Ctrl-C stops it.",
            flow.emu.url()
        ))?;
        flow.emu
            .run_until_ctrl_c()
            .await
            .map_err(|e| CliError::failure(format!("the emulator stopped: {e}")))?;
    } else {
        flow.emu.shutdown().await;
    }
    Ok(())
}

/// 1. An emulator on a free loopback port with a temporary store, and a client for it.
async fn start(steps: &mut Steps<'_>) -> Result<Flow, CliError> {
    let emu = Emulator::builder()
        .api_key(DEMO_KEY)
        .start()
        .await
        .map_err(steps.failed(START))?;
    let client = Client::builder()
        .api_key(DEMO_KEY)
        .base_url(emu.url())
        .build()
        .map_err(steps.failed(START))?;
    let dir =
        tempfile::tempdir().map_err(|e| steps.fail(START, format!("temporary directory: {e}")))?;
    let detail = format!("listening on {} with a temporary store", emu.url());
    steps.ok(START, detail, json!({ "url": emu.url() }))?;
    Ok(Flow { emu, client, dir })
}

/// 2. Upload the sample from a file, with the JSONL check on.
async fn upload(steps: &mut Steps<'_>, flow: &Flow) -> Result<FileObject, CliError> {
    let sample_path = flow.dir.path().join("sample.jsonl");
    std::fs::write(&sample_path, SAMPLE)
        .map_err(|e| steps.fail(UPLOAD, format!("writing the sample: {e}")))?;
    let uploaded = flow
        .client
        .upload_path(&sample_path)
        .purpose(FilePurpose::FineTune)
        .validate_jsonl(true)
        .await
        .map_err(steps.failed(UPLOAD))?;
    let lines = SAMPLE.lines().count() as u64;
    let expected = uploaded.bytes == Some(SAMPLE.len() as u64)
        && uploaded.num_lines == Some(lines)
        && uploaded.filename == "sample.jsonl";
    steps.check(expected, UPLOAD, || {
        format!("unexpected file object: {uploaded:?}")
    })?;
    let detail = format!(
        "id {} ({} bytes, {}, purpose {}, sample_type {})",
        uploaded.id,
        SAMPLE.len(),
        format::count(lines, "line", "lines"),
        uploaded.purpose,
        uploaded.sample_type
    );
    steps.ok(UPLOAD, detail, json!({ "file": uploaded }))?;
    Ok(uploaded)
}

/// 3. List everything, then search by name and purpose.
async fn list(steps: &mut Steps<'_>, flow: &Flow, uploaded: &FileObject) -> Result<(), CliError> {
    let id = uploaded.id;
    let listed: Vec<FileObject> = flow
        .client
        .list()
        .into_stream()
        .try_collect()
        .await
        .map_err(steps.failed(LIST))?;
    steps.check(listed.iter().any(|f| f.id == id), LIST, || {
        format!("{id} is not in the listing")
    })?;
    let found: Vec<FileObject> = flow
        .client
        .list()
        .search("sample")
        .purpose(FilePurpose::FineTune)
        .into_stream()
        .try_collect()
        .await
        .map_err(steps.failed(LIST))?;
    steps.check(found.len() == 1 && found[0].id == id, LIST, || {
        format!("search \"sample\" found {} files", found.len())
    })?;
    let detail = format!(
        "{} file(s) listed; search \"sample\" + purpose {} finds it",
        listed.len(),
        FilePurpose::FineTune
    );
    steps.ok(LIST, detail, json!({ "count": listed.len() }))?;
    if !steps.out.json() {
        let width = table::table_width(false).map(|w| w.saturating_sub(4));
        for l in table::file_table(&listed, width).lines() {
            steps.out.line(format!("    {l}"))?;
        }
    }
    Ok(())
}

/// 4. Retrieve the metadata and compare it with the upload's answer.
async fn retrieve(
    steps: &mut Steps<'_>,
    flow: &Flow,
    uploaded: &FileObject,
) -> Result<(), CliError> {
    let got = flow
        .client
        .retrieve(uploaded.id)
        .await
        .map_err(steps.failed(RETRIEVE))?;
    let same = got.id == uploaded.id
        && got.filename == uploaded.filename
        && got.bytes == uploaded.bytes
        && !got.deleted;
    steps.check(same, RETRIEVE, || {
        format!("retrieved object differs from the uploaded one: {got:?}")
    })?;
    let detail = format!(
        "{} matches the upload (created {})",
        got.filename,
        format::utc_time(got.created_at)
    );
    steps.ok(RETRIEVE, detail, json!({ "file": got }))
}

/// 5. A signed URL, fetched without the key (the emulator's request log proves it).
async fn signed_url(steps: &mut Steps<'_>, flow: &Flow, id: FileId) -> Result<(), CliError> {
    let url = flow
        .client
        .signed_url(id)
        .expiry(Duration::from_secs(3600))
        .await
        .map_err(steps.failed(SIGNED_URL))?;
    flow.emu.clear_requests();
    let via_url: Vec<u8> = flow
        .client
        .fetch_signed_url(url.as_str())
        .await
        .map_err(steps.failed(SIGNED_URL))?
        .try_fold(Vec::new(), |mut acc, chunk| async move {
            acc.extend_from_slice(&chunk);
            Ok(acc)
        })
        .await
        .map_err(steps.failed(SIGNED_URL))?;
    let requests = flow.emu.requests();
    let no_key = !requests.is_empty() && requests.iter().all(|r| !r.has_auth);
    steps.check(via_url == SAMPLE.as_bytes(), SIGNED_URL, || {
        format!(
            "the signed URL gave {} bytes that differ from the sample",
            via_url.len()
        )
    })?;
    steps.check(no_key, SIGNED_URL, || {
        "the signed-URL fetch carried an Authorization header".to_string()
    })?;
    let detail = format!(
        "valid 1 h, fetched without the API key: {} bytes, identical",
        via_url.len()
    );
    let extra = json!({ "url": url.as_str(), "bytes": via_url.len(), "sent_key": false });
    steps.ok(SIGNED_URL, detail, extra)
}

/// 6. Download to a file and compare it with the sample.
async fn download(steps: &mut Steps<'_>, flow: &Flow, id: FileId) -> Result<(), CliError> {
    let target = flow.dir.path().join("downloaded.jsonl");
    let n = flow
        .client
        .download_to_path(id, &target)
        .await
        .map_err(steps.failed(DOWNLOAD))?;
    let back = std::fs::read(&target)
        .map_err(|e| steps.fail(DOWNLOAD, format!("reading the download: {e}")))?;
    steps.check(back == SAMPLE.as_bytes(), DOWNLOAD, || {
        format!(
            "downloaded {} bytes that differ from the upload",
            back.len()
        )
    })?;
    let detail = format!("{n} bytes, byte-for-byte identical to the upload");
    steps.ok(DOWNLOAD, detail, json!({ "bytes": n, "identical": true }))
}

/// 7. Delete.
async fn delete(steps: &mut Steps<'_>, flow: &Flow, id: FileId) -> Result<(), CliError> {
    let deleted = flow.client.delete(id).await.map_err(steps.failed(DELETE))?;
    steps.check(deleted.deleted && deleted.id == id, DELETE, || {
        format!("unexpected answer: {deleted:?}")
    })?;
    steps.ok(
        DELETE,
        format!("{id} deleted"),
        json!({ "deleted": deleted }),
    )
}

/// 8. The file is gone: retrieving it is a 404.
async fn gone(steps: &mut Steps<'_>, flow: &Flow, id: FileId) -> Result<(), CliError> {
    match flow.client.retrieve(id).await {
        Err(e) if e.status().map(|st| st.as_u16()) == Some(404) => steps.ok(
            GONE,
            "404 Not Found, as expected".to_string(),
            json!({ "status": 404 }),
        ),
        Err(e) => Err(steps.fail(GONE, format!("expected a 404, got: {e}"))),
        Ok(f) => Err(steps.fail(GONE, format!("the file is still there: {f:?}"))),
    }
}
