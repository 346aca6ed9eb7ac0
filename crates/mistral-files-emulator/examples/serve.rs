//! Runs the emulator until Ctrl-C: `cargo run -p mistral-files-emulator --example serve -- [ADDR] [DATA_DIR] [nosync]`.
//! The key is `MISTRAL_API_KEY` if set, else the default `test-key` (refused on an address other
//! machines can reach, such as `0.0.0.0:8080`: set a key of your own there).
//! (The `mistral-files serve` command of the CLI is the user-facing way; this is for quick manual checks.)

use mistral_files_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let mut builder = Emulator::builder().bind(addr.parse()?);
    if let Ok(key) = std::env::var("MISTRAL_API_KEY") {
        builder = builder.api_key(key);
    }
    if let Some(dir) = args.next() {
        builder = builder.data_dir(dir);
    }
    if args.next().as_deref() == Some("nosync") {
        builder = builder.sync_writes(false);
    }
    // the error's message (what to do), not its `Debug`
    let emu = builder.start().await.map_err(|e| e.to_string())?;
    println!("{} ({})", emu.url(), emu.exposure());
    emu.run_until_ctrl_c().await?;
    Ok(())
}
