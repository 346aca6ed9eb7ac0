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

/// 1 MiB of whole JSON lines (chat samples of varying length, the last one padded to the exact
/// size), ending with a newline: every line is a JSON object, as the service's fine-tuning check
/// (applied to files sent without a purpose) requires.
fn one_mib_block() -> Vec<u8> {
    let size = MIB as usize;
    let mut block = Vec::with_capacity(size);
    let mut i = 0u64;
    loop {
        let line = format!(
            "{{\"messages\":[{{\"role\":\"user\",\"content\":\"sample {i}\"}},{{\"role\":\"assistant\",\"content\":\"{}\"}}]}}\n",
            "x".repeat((i % 97) as usize)
        );
        // leave room for a padding line of at least `{"pad":""}\n`
        if block.len() + line.len() + 12 > size {
            break;
        }
        block.extend_from_slice(line.as_bytes());
        i += 1;
    }
    let pad = size - block.len() - "{\"pad\":\"\"}\n".len();
    block.extend_from_slice(format!("{{\"pad\":\"{}\"}}\n", "x".repeat(pad)).as_bytes());
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
        for line in data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line).unwrap();
            assert!(v.is_object());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
