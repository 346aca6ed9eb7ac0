//! `mistral-files demo`: the whole Files API flow against an in-process emulator, each step checked.
//!
//! Needs no key, no network and no configuration: it ignores `--api-key`, `--base-url` and their
//! environment variables, and uses its own emulator on a free loopback port with a temporary store.

use std::time::Duration;

use futures_util::TryStreamExt;
use mistral_files::{Client, FileObject, FilePurpose};
use mistral_files_emulator::Emulator;
use serde_json::{json, Value};

use crate::args::DemoArgs;
use crate::error::CliError;
use crate::output::{self, Out};

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

/// Prints steps as they pass (`✓ ...`) or fail (`✗ ...`).
struct Steps<'a> {
    out: &'a Out,
    passed: usize,
}

impl Steps<'_> {
    /// A step passed: prints `✓ title: detail`, or a JSON document.
    fn ok(
        &mut self,
        step: &str,
        title: &str,
        detail: String,
        extra: Value,
    ) -> Result<(), CliError> {
        self.passed += 1;
        self.out.line(format!("✓ {title}: {detail}"))?;
        let mut doc = json!({ "step": step, "ok": true, "detail": detail });
        if let (Value::Object(d), Value::Object(e)) = (&mut doc, extra) {
            d.extend(e);
        }
        self.out.doc(&doc)
    }

    /// A step failed: prints `✗ title: why` and returns the error that ends the demo.
    fn fail(&self, step: &str, title: &str, why: impl Into<String>) -> CliError {
        let why = why.into();
        let _ = self.out.line(format!("✗ {title}: {why}"));
        let _ = self
            .out
            .doc(&json!({ "step": step, "ok": false, "detail": why }));
        CliError::failure(format!(
            "the demo failed at step {:?} after {} passed steps: {why}",
            step, self.passed
        ))
    }
}

/// Checks `cond`, or fails the step with `why`.
fn check(
    cond: bool,
    steps: &Steps<'_>,
    step: &str,
    title: &str,
    why: String,
) -> Result<(), CliError> {
    if cond {
        Ok(())
    } else {
        Err(steps.fail(step, title, why))
    }
}

/// Runs the demo.
pub async fn demo(a: DemoArgs, out: &Out) -> Result<(), CliError> {
    let mut s = Steps { out, passed: 0 };
    out.line("mistral-files demo: the whole Files API flow against a local emulator (no key, no network)")?;

    // 1. Emulator.
    let (step, title) = ("start", "start the emulator");
    let emu = Emulator::builder()
        .api_key(DEMO_KEY)
        .start()
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    s.ok(
        step,
        title,
        format!("listening on {} with a temporary store", emu.url()),
        json!({ "url": emu.url() }),
    )?;
    let client = Client::builder()
        .with_api_key(DEMO_KEY)
        .with_base_url(emu.url())
        .build()
        .map_err(|e| s.fail(step, title, e.to_string()))?;

    // 2. Upload.
    let (step, title) = ("upload", "upload sample.jsonl");
    let dir = tempfile::tempdir()
        .map_err(|e| s.fail(step, title, format!("temporary directory: {e}")))?;
    let sample_path = dir.path().join("sample.jsonl");
    std::fs::write(&sample_path, SAMPLE)
        .map_err(|e| s.fail(step, title, format!("writing the sample: {e}")))?;
    let uploaded = client
        .upload_path(&sample_path)
        .purpose(FilePurpose::FineTune)
        .validate_jsonl(true)
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    let lines = SAMPLE.lines().count() as u64;
    check(
        uploaded.bytes == Some(SAMPLE.len() as u64)
            && uploaded.num_lines == Some(lines)
            && uploaded.filename == "sample.jsonl",
        &s,
        step,
        title,
        format!("unexpected file object: {uploaded:?}"),
    )?;
    s.ok(
        step,
        title,
        format!(
            "id {} ({} bytes, {lines} lines, purpose {}, sample_type {})",
            uploaded.id,
            SAMPLE.len(),
            uploaded.purpose,
            uploaded.sample_type
        ),
        json!({ "file": uploaded }),
    )?;
    let id = uploaded.id;

    // 3. List.
    let (step, title) = ("list", "list files");
    let listed: Vec<FileObject> = client
        .list()
        .into_stream()
        .try_collect()
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    check(
        listed.iter().any(|f| f.id == id),
        &s,
        step,
        title,
        format!("{id} is not in the listing"),
    )?;
    let found: Vec<FileObject> = client
        .list()
        .search("sample")
        .purpose(FilePurpose::FineTune)
        .into_stream()
        .try_collect()
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    check(
        found.len() == 1 && found[0].id == id,
        &s,
        step,
        title,
        format!("search \"sample\" found {} files", found.len()),
    )?;
    s.ok(
        step,
        title,
        format!(
            "{} file(s) listed; search \"sample\" + purpose fine-tune finds it",
            listed.len()
        ),
        json!({ "count": listed.len() }),
    )?;
    if !out.json {
        for l in output::file_table(&listed).lines() {
            out.line(format!("    {l}"))?;
        }
    }

    // 4. Retrieve.
    let (step, title) = ("retrieve", "retrieve it");
    let got = client
        .retrieve(id)
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    check(
        got.id == id
            && got.filename == uploaded.filename
            && got.bytes == uploaded.bytes
            && !got.deleted,
        &s,
        step,
        title,
        format!("retrieved object differs from the uploaded one: {got:?}"),
    )?;
    s.ok(
        step,
        title,
        format!(
            "{} matches the upload (created {})",
            got.filename,
            output::utc_time(got.created_at)
        ),
        json!({ "file": got }),
    )?;

    // 5. Signed URL, fetched without the key.
    let (step, title) = ("signed_url", "signed URL");
    let url = client
        .signed_url(id)
        .expiry(Duration::from_secs(3600))
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    emu.clear_requests();
    let via_url: Vec<u8> = client
        .fetch_signed_url(url.as_str())
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?
        .try_fold(Vec::new(), |mut acc, chunk| async move {
            acc.extend_from_slice(&chunk);
            Ok(acc)
        })
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    let signed_requests = emu.requests();
    let no_key = !signed_requests.is_empty() && signed_requests.iter().all(|r| !r.has_auth);
    check(
        via_url == SAMPLE.as_bytes(),
        &s,
        step,
        title,
        format!(
            "the signed URL gave {} bytes that differ from the sample",
            via_url.len()
        ),
    )?;
    check(
        no_key,
        &s,
        step,
        title,
        "the signed-URL fetch carried an Authorization header".to_string(),
    )?;
    s.ok(
        step,
        title,
        format!(
            "valid 1 h, fetched without the API key: {} bytes, identical",
            via_url.len()
        ),
        json!({ "url": url.as_str(), "bytes": via_url.len(), "sent_key": false }),
    )?;

    // 6. Download and compare.
    let (step, title) = ("download", "download and compare");
    let target = dir.path().join("downloaded.jsonl");
    let n = client
        .download_to_path(id, &target)
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    let back = std::fs::read(&target)
        .map_err(|e| s.fail(step, title, format!("reading the download: {e}")))?;
    check(
        back == SAMPLE.as_bytes(),
        &s,
        step,
        title,
        format!(
            "downloaded {} bytes that differ from the upload",
            back.len()
        ),
    )?;
    s.ok(
        step,
        title,
        format!("{n} bytes, byte-for-byte identical to the upload"),
        json!({ "bytes": n, "identical": true }),
    )?;

    // 7. Delete.
    let (step, title) = ("delete", "delete it");
    let d = client
        .delete(id)
        .await
        .map_err(|e| s.fail(step, title, e.to_string()))?;
    check(
        d.deleted && d.id == id,
        &s,
        step,
        title,
        format!("unexpected answer: {d:?}"),
    )?;
    s.ok(
        step,
        title,
        format!("{id} deleted"),
        json!({ "deleted": d }),
    )?;

    // 8. Gone.
    let (step, title) = ("gone", "retrieve after delete");
    match client.retrieve(id).await {
        Err(e) if e.status().map(|st| st.as_u16()) == Some(404) => s.ok(
            step,
            title,
            "404 Not Found, as expected".to_string(),
            json!({ "status": 404 }),
        )?,
        Err(e) => return Err(s.fail(step, title, format!("expected a 404, got: {e}"))),
        Ok(f) => {
            return Err(s.fail(step, title, format!("the file is still there: {f:?}")));
        }
    }

    out.line(format!("All {} steps passed.", s.passed))?;
    out.doc(&json!({ "step": "summary", "ok": true, "passed": s.passed }))?;

    if a.keep {
        out.line(format!(
            "The emulator keeps running at {} (key {DEMO_KEY}); Ctrl-C stops it.",
            emu.url()
        ))?;
        emu.run_until_ctrl_c()
            .await
            .map_err(|e| CliError::failure(format!("the emulator stopped: {e}")))?;
    } else {
        emu.shutdown().await;
    }
    Ok(())
}
