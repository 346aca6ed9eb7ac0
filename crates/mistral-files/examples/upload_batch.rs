//! Upload a JSONL batch file, validating it first and showing progress.
//!
//! ```sh
//! MISTRAL_API_KEY=... cargo run -p mistral-files --example upload_batch -- requests.jsonl
//! ```

use std::time::Duration;

use mistral_files::{Client, FilePurpose};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: upload_batch <file.jsonl>")?;
    let client = Client::from_env()?;
    let file = client
        .upload_path(&path)
        .purpose(FilePurpose::Batch)
        .expiry(Duration::from_secs(24 * 3600))
        .validate_jsonl(true)
        .on_progress(|p| {
            if let Some(f) = p.fraction() {
                eprint!("\r{:5.1}%", f * 100.0);
            }
        })
        .await?;
    eprintln!();
    println!(
        "{} {} ({:?} bytes, {:?} lines)",
        file.id, file.filename, file.bytes, file.num_lines
    );
    Ok(())
}
