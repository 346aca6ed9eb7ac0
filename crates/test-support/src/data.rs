//! Checksums, deterministic content and special files.

use sha2::{Digest, Sha256};

/// The SHA-256 of `data`, as lower-case hex (the form the emulator records and returns).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// `bytes` as lower-case hex, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `len` pseudo-random bytes, the same for the same `seed` (xorshift; not JSONL, so upload it
/// with a purpose whose format rule takes any bytes, e.g. batch with `.jsonl` names).
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// A JSONL body of `n` chat lines (`{"messages":[{"role":"user","content":"q0"}]}` ...), each
/// ending in a newline.
pub fn jsonl(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| format!("{{\"messages\":[{{\"role\":\"user\",\"content\":\"q{i}\"}}]}}\n"))
        .collect::<String>()
        .into_bytes()
}

/// Makes a named pipe (FIFO) at `path` with the `mkfifo` command; whether that worked (false
/// where there is no such command).
pub fn mkfifo(path: &std::path::Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_nothing_and_content_is_deterministic() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(content(1000, 7), content(1000, 7));
        assert_ne!(content(1000, 7), content(1000, 8));
        assert_eq!(content(13, 1).len(), 13);
        assert_eq!(jsonl(2).iter().filter(|b| **b == b'\n').count(), 2);
    }
}
