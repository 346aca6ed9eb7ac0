//! Local file names for server-given ones: made safe ([`sanitize_file_name`]) and unique within
//! one bulk download.

use std::collections::HashSet;

use crate::types::FileObject;

/// A server-given file name made safe as a local file name in a directory: no path separators,
/// no characters Windows refuses (`: * ? " < > |`), no control characters, no leading dots (no
/// hidden files, no `..`), surrounding spaces trimmed, at most 255 bytes. Falls back to
/// `fallback` (say, the file's id) when nothing usable is left.
///
/// [`Selection::download_to_dir`](crate::Selection::download_to_dir) names its files with it.
///
/// ```
/// use mistral_files::sanitize_file_name;
/// assert_eq!(sanitize_file_name("data.jsonl", "id"), "data.jsonl");
/// assert_eq!(sanitize_file_name("../../etc/passwd", "id"), "_.._etc_passwd");
/// assert_eq!(sanitize_file_name("..", "file-1"), "file-1");
/// ```
pub fn sanitize_file_name(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    s = s.trim().trim_start_matches('.').trim().to_string();
    while s.len() > 255 {
        s.pop();
    }
    if s.is_empty() || s.chars().all(|c| c == '_' || c == '.') {
        fallback.to_string()
    } else {
        s
    }
}

/// The local name of each file, in the order given: its sanitized name, made unique. The files
/// are ranked by `created_at` then id, so that the same selection always gets the same names
/// (a second run finds the files of the first): the first of a name keeps it, a later one gets
/// the first 8 characters of its id before the extension (`name-1a2b3c4d.jsonl`), and, should
/// that be taken too, its whole id. Names are compared without case, as a case-insensitive
/// file system would.
pub(super) fn unique_names(files: &[FileObject]) -> Vec<String> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&files[a], &files[b]);
        (fa.created_at, fa.id.to_string()).cmp(&(fb.created_at, fb.id.to_string()))
    });
    let mut taken = HashSet::new();
    let mut names = vec![String::new(); files.len()];
    for i in order {
        let id = files[i].id.to_string();
        let base = sanitize_file_name(&files[i].filename, &id);
        let (stem, ext) = split_extension(&base);
        let candidates = [
            base.clone(),
            format!("{stem}-{}{ext}", &id[..id.len().min(8)]),
            format!("{stem}-{id}{ext}"),
        ];
        let name = candidates
            .into_iter()
            .find(|c| !taken.contains(&c.to_lowercase()))
            .unwrap_or_else(|| numbered(&taken, stem, &id, ext));
        taken.insert(name.to_lowercase());
        names[i] = name;
    }
    names
}

/// `stem-ID-2.ext`, `-3`, ...: the first one free (only when a file is literally named like
/// another's id-suffixed name).
fn numbered(taken: &HashSet<String>, stem: &str, id: &str, ext: &str) -> String {
    (2u64..)
        .map(|n| format!("{stem}-{id}-{n}{ext}"))
        .find(|c| !taken.contains(&c.to_lowercase()))
        .unwrap_or_else(|| id.to_string())
}

/// `("name", ".jsonl")` of `name.jsonl`; no extension for a name without a dot.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, name: &str, created_at: i64) -> FileObject {
        serde_json::from_value(serde_json::json!({
            "id": id, "object": "file", "bytes": 1, "created_at": created_at,
            "filename": name, "purpose": "batch", "sample_type": "batch_result",
            "source": "mistral",
        }))
        .unwrap()
    }

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize_file_name("data.jsonl", "id"), "data.jsonl");
        assert_eq!(
            sanitize_file_name("../../etc/passwd", "id"),
            "_.._etc_passwd"
        );
        assert_eq!(sanitize_file_name("..", "id"), "id");
        assert_eq!(sanitize_file_name(".hidden", "id"), "hidden");
        assert_eq!(sanitize_file_name("a\r\nb.jsonl", "id"), "a__b.jsonl");
        assert_eq!(sanitize_file_name("", "id"), "id");
        assert_eq!(sanitize_file_name("///", "id"), "id");
        assert!(sanitize_file_name(&"é".repeat(300), "id").len() <= 255);
    }

    #[test]
    fn collisions_get_the_id_the_oldest_keeps_the_name() {
        let a = "aaaaaaaa-0000-4000-8000-000000000001";
        let b = "bbbbbbbb-0000-4000-8000-000000000002";
        let c = "cccccccc-0000-4000-8000-000000000003";
        // listed newest first, as the service does
        let files = [
            file(c, "out.jsonl", 30),
            file(b, "OUT.jsonl", 20),
            file(a, "out.jsonl", 10),
        ];
        let names = unique_names(&files);
        assert_eq!(
            names,
            ["out-cccccccc.jsonl", "OUT-bbbbbbbb.jsonl", "out.jsonl"]
        );
        // a name taken by another file's suffixed name: the whole id
        let files = [file(a, "x", 10), file(b, "x-aaaaaaaa", 5), file(c, "x", 1)];
        let names = unique_names(&files);
        assert_eq!(names, [format!("x-{a}"), "x-aaaaaaaa".into(), "x".into()]);
    }
}
