//! The test data: files of JSON lines of an exact size, the kind of file the service takes.
//!
//! Why a module of its own: every transfer scenario uploads such a file, and a re-run reuses one
//! that already has the right size (`--keep-data`).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// Writes `mib` MiB of JSON lines to `path` (unless it already has that size).
pub fn make_data(path: &Path, mib: u64) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == mib * MIB) {
        return Ok(());
    }
    let block = one_mib_block();
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for _ in 0..mib {
        f.write_all(&block)?;
    }
    f.flush()?;
    Ok(())
}

/// 1 MiB of whole JSON lines (chat samples of varying length), ending with a newline.
fn one_mib_block() -> Vec<u8> {
    let mut block = Vec::with_capacity(MIB as usize);
    let mut i = 0u64;
    while block.len() < MIB as usize {
        let line = format!(
            "{{\"messages\":[{{\"role\":\"user\",\"content\":\"sample {i}\"}},{{\"role\":\"assistant\",\"content\":\"{}\"}}]}}\n",
            "x".repeat((i % 97) as usize)
        );
        block.extend_from_slice(line.as_bytes());
        i += 1;
    }
    block.truncate(MIB as usize - 1);
    block.push(b'\n');
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_have_the_exact_size_and_end_lines() {
        let dir = std::env::temp_dir().join(format!("bench-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("d.jsonl");
        make_data(&p, 2).unwrap();
        let data = std::fs::read(&p).unwrap();
        assert_eq!(data.len() as u64, 2 * MIB);
        assert_eq!(data.last(), Some(&b'\n'));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
