//! The benchmarks of `cargo xtask bench`: the driver (the `bench` binary, [`driver`]) and the
//! helpers it shares with the binaries it runs (`bench-client`, `bench-server`, `bench-rusage`);
//! and `cargo xtask build-cost` (the `build-cost` binary, [`build_cost`]): a dependent's cold
//! build time and the TLS providers' speed.
//! Not a library for users: the crate is `publish = false`.
//!
//! The driver lives here rather than in xtask so that xtask, which maintainers run for every
//! `cargo xtask codegen`, compiles no benchmark code; `cargo xtask bench` only forwards to
//! `cargo run --release -p mistral-files-bench --bin bench`.

pub mod build_cost;
pub mod driver;
pub mod rusage;

/// The API key every bench server expects and every bench client sends.
pub const BENCH_KEY: &str = "bench-key";

/// The file id the bare server uses for content of `size` bytes: the size is encoded in the
/// UUID's last group, so the server needs no state.
///
/// ```
/// let id = mistral_files_bench::bare_id(512 << 20);
/// assert_eq!(id, "00000000-0000-4000-8000-000020000000");
/// assert_eq!(mistral_files_bench::bare_size(&id), Some(512 << 20));
/// ```
pub fn bare_id(size: u64) -> String {
    format!("00000000-0000-4000-8000-{:012x}", size & 0xffff_ffff_ffff)
}

/// The size encoded by [`bare_id`], if `id` is such an id.
pub fn bare_size(id: &str) -> Option<u64> {
    let tail = id.strip_prefix("00000000-0000-4000-8000-")?;
    if tail.len() != 12 {
        return None;
    }
    u64::from_str_radix(tail, 16).ok()
}

/// A provider-shaped file object, as the bare server answers it.
pub fn file_object(id: &str, bytes: u64, filename: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "object": "file",
        "bytes": bytes,
        "created_at": 1_700_000_000,
        "filename": filename,
        "purpose": "fine-tune",
        "sample_type": "instruct",
        "source": "upload",
        "num_lines": null,
        "mimetype": "application/jsonl",
        "signature": null,
        "expires_at": null,
        "visibility": "workspace",
    })
}

/// Reads the value following `--name` in `args`, if present.
pub fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for size in [0, 1, 64 << 20, 512 << 20] {
            assert_eq!(bare_size(&bare_id(size)), Some(size));
        }
        assert_eq!(bare_size("3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e"), None);
    }

    #[test]
    fn flags() {
        let args: Vec<String> = ["x", "--size", "5"].iter().map(|s| s.to_string()).collect();
        assert_eq!(flag(&args, "--size"), Some("5"));
        assert_eq!(flag(&args, "--other"), None);
    }
}
