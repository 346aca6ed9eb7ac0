//! Page through every file, optionally filtered by purpose.
//!
//! ```sh
//! MISTRAL_API_KEY=... cargo run -p mistral-files --example list_files -- batch
//! ```

use futures_util::TryStreamExt;
use mistral_files::{Client, FilePurpose};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let mut request = client.list().page_size(100);
    if let Some(purpose) = std::env::args().nth(1) {
        let purpose: FilePurpose = purpose.parse()?;
        request = request.purpose(purpose);
    }
    let mut files = std::pin::pin!(request.into_stream());
    let mut n = 0u64;
    while let Some(f) = files.try_next().await? {
        n += 1;
        println!(
            "{}  {:>12}  {:<10}  {}",
            f.id,
            f.bytes.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
            f.purpose,
            f.filename
        );
    }
    eprintln!("{n} files");
    Ok(())
}
