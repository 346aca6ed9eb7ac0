//! The blocking client (no async in sight): upload, list every page, download to a file and to
//! a writer, a signed URL fetched without the key, delete.
//!
//! ```sh
//! cargo run -p mistral-files --features blocking --example blocking
//! ```
//!
//! With no `MISTRAL_BASE_URL` set, it starts the emulator in-process (on a free loopback port,
//! with a temporary store) and runs against it; with `MISTRAL_BASE_URL` (and `MISTRAL_API_KEY`)
//! set, against that server instead, e.g. `mistral-files serve`.

use std::io::BufRead;

use mistral_files::blocking::Client;
use mistral_files::FilePurpose;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The emulator is async; it serves from a runtime of its own, in the background. The
    // blocking client below makes its own runtime, once, and never sees this one.
    let (_emulator, client) = match std::env::var("MISTRAL_BASE_URL") {
        Ok(_) => (None, Client::from_env()?),
        Err(_) => {
            let rt = tokio::runtime::Runtime::new()?;
            let emu = rt.block_on(mistral_files_emulator::Emulator::builder().start())?;
            println!("emulator at {}", emu.url());
            let client = mistral_files::Client::builder()
                .api_key(mistral_files_emulator::DEFAULT_API_KEY)
                .base_url(emu.url())
                .build_blocking()?;
            (Some((emu, rt)), client)
        }
    };

    let dir = tempfile::tempdir()?;
    let source = dir.path().join("requests.jsonl");
    std::fs::write(&source, "{\"q\":\"one\"}\n{\"q\":\"two\"}\n")?;
    let file = client
        .upload_path(&source)
        .purpose(FilePurpose::Batch)
        .on_progress(|p| println!("  upload: {} of {:?} bytes", p.bytes_done, p.total))
        .send()?;
    println!("uploaded {} as {}", file.filename, file.id);

    for f in client.list().purpose(FilePurpose::Batch).page_size(50) {
        let f = f?;
        println!("listed {} {} ({:?} bytes)", f.id, f.filename, f.bytes);
    }

    let copy = dir.path().join("copy.jsonl");
    let n = client.download_to_path(file.id, &copy).send()?;
    println!("downloaded {n} bytes to {}", copy.display());

    let mut lines = Vec::new();
    client.download(file.id).send()?.copy_to(&mut lines)?;
    for line in lines.lines() {
        println!("  line: {}", line?);
    }

    let url = client.signed_url(file.id).send()?;
    let mut fetched = Vec::new();
    client
        .fetch_signed_url(&url)
        .send()?
        .copy_to(&mut fetched)?;
    println!(
        "signed URL fetched without the key: {} bytes",
        fetched.len()
    );

    client.delete(file.id)?;
    match client.retrieve(file.id) {
        Err(e) if e.is_not_found() => println!("deleted: retrieving it now is a 404"),
        other => return Err(format!("expected a 404, got {other:?}").into()),
    }
    Ok(())
}
