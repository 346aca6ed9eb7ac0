//! Download a file's content to disk (atomically, resuming if the connection drops).
//!
//! ```sh
//! MISTRAL_API_KEY=... cargo run -p mistral-files --example download -- <file-id> out.jsonl
//! ```

use mistral_files::{Client, FileId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(id), Some(target)) = (args.next(), args.next()) else {
        return Err("usage: download <file-id> <target-path>".into());
    };
    let id: FileId = id.parse()?;
    let client = Client::from_env()?;
    let written = client
        .download_to_path(id, &target)
        .on_progress(|p| eprint!("\r{} / {:?} bytes", p.bytes_done, p.total))
        .await?;
    eprintln!();
    println!("wrote {written} bytes to {target}");
    Ok(())
}
