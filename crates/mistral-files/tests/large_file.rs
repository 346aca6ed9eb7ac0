//! Upload and download a file of several hundred MiB through the crate, and check that the client's
//! peak memory stays far below the file size. The client runs in its own process (this test binary
//! re-run with `MF_LARGE_CHILD` set, executing only `large_transfer_child`), so its peak RSS
//! (`VmHWM`) is its own, not the emulator's.
//!
//! Size: `MF_LARGE_MIB` (default 320). Limit: `MF_LARGE_MAX_RSS_MIB` (default 64).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

use mistral_files_test_support::{emulator_with, KEY};

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The client side; does nothing unless run by `large_transfer_peak_memory`.
#[test]
fn large_transfer_child() {
    let (Ok(url), Ok(src), Ok(dst)) = (
        std::env::var("MF_LARGE_CHILD_URL"),
        std::env::var("MF_LARGE_CHILD_SRC"),
        std::env::var("MF_LARGE_CHILD_DST"),
    ) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = mistral_files::Client::builder()
            .api_key(KEY)
            .base_url(url)
            .build()
            .unwrap();
        let before = vm_hwm_kib();
        let t = Instant::now();
        let f = client
            .upload_path(&src)
            .purpose(mistral_files::FilePurpose::Batch)
            .await
            .unwrap();
        let up = t.elapsed();
        let t = Instant::now();
        let n = client.download_to_path(f.id, &dst).await.unwrap();
        let down = t.elapsed();
        println!(
            "MF_RESULT bytes={n} upload_ms={} download_ms={} hwm_before_kib={before} hwm_kib={}",
            up.as_millis(),
            down.as_millis(),
            vm_hwm_kib()
        );
    });
}

fn write_big_jsonl(path: &Path, mib: usize) {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let pad = "x".repeat(1000);
    let mut written = 0usize;
    let mut i = 0u64;
    while written < mib << 20 {
        let line = format!("{{\"i\":{i},\"pad\":\"{pad}\"}}\n");
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
        i += 1;
    }
    f.flush().unwrap();
}

fn same_content(a: &Path, b: &Path) -> bool {
    let (mut fa, mut fb) = (
        std::fs::File::open(a).unwrap(),
        std::fs::File::open(b).unwrap(),
    );
    if fa.metadata().unwrap().len() != fb.metadata().unwrap().len() {
        return false;
    }
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = fa.read(&mut ba).unwrap();
        if n == 0 {
            return true;
        }
        fb.read_exact(&mut bb[..n]).unwrap();
        if ba[..n] != bb[..n] {
            return false;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_transfer_peak_memory() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let mib: usize = std::env::var("MF_LARGE_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(320);
    let max_rss_mib: u64 = std::env::var("MF_LARGE_MAX_RSS_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.jsonl");
    let dst = dir.path().join("big.out.jsonl");
    write_big_jsonl(&src, mib);
    let size = std::fs::metadata(&src).unwrap().len();

    let emu = emulator_with(|b| b.data_dir(dir.path().join("emu"))).await;
    let out = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "large_transfer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MF_LARGE_CHILD_URL", emu.url())
        .env("MF_LARGE_CHILD_SRC", &src)
        .env("MF_LARGE_CHILD_DST", &dst)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.find("MF_RESULT").map(|i| &l[i..]))
        .unwrap_or_else(|| {
            panic!(
                "no result line: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    println!("{line} file_bytes={size}");
    let field = |k: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(field("bytes"), size);
    let hwm_mib = field("hwm_kib") / 1024;
    assert!(
        hwm_mib < max_rss_mib,
        "client peak RSS {hwm_mib} MiB for a {} MiB transfer (limit {max_rss_mib} MiB)",
        size >> 20
    );
    assert!(same_content(&src, &dst), "downloaded content differs");
    emu.shutdown().await;
}
