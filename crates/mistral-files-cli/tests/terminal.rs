//! What the CLI draws for a terminal: the `ls` table fitted to the width (`COLUMNS`, `--wide`,
//! piped), and progress bars, checked in a pseudo-terminal of 80 columns opened here (CI has no
//! terminal of its own): a bar is drawn, none wraps, and nothing is drawn when stdout is not a
//! terminal.

use mistral_files_test_support::cli::{path_arg, CliEnv, Run};
use mistral_files_test_support::jsonl;
#[cfg(unix)]
use mistral_files_test_support::pty;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

/// A file name of exactly 72 characters, distinct per `i`.
fn long_name(i: usize) -> String {
    let stem = format!("{i:02}-quarterly-evaluation-set-with-a-rather-long-descriptive-name-");
    format!("{stem}{}.jsonl", "x".repeat(72 - stem.len() - 6))
}

#[test]
fn ls_of_30_long_names_fits_80_columns() {
    let env = CliEnv::new(BIN);
    let paths: Vec<_> = (0..30)
        .map(|i| env.write(&long_name(i), &jsonl(1)))
        .collect();
    assert!(paths.iter().all(|p| p.file_name().unwrap().len() == 72));
    env.cmd().arg("upload").args(&paths).succeeds();
    let ids: Vec<String> = env
        .ok(&["ls", "--json"])
        .json_array()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 30);

    let out = env.cmd().env("COLUMNS", "80").arg("ls").succeeds();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 31, "{}", out.stdout);
    for l in &lines {
        assert!(
            l.chars().count() <= 80,
            "{} columns: {l}",
            l.chars().count()
        );
    }
    for id in &ids {
        assert!(
            out.stdout.contains(id.as_str()),
            "ids are never shortened: {id}"
        );
    }
    assert_eq!(out.stdout.matches('…').count(), 30, "{}", out.stdout);
    // shortened in the middle: each keeps its start (the number here) and its end
    let shown: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|n| n.ends_with("x.jsonl"))
        .collect();
    assert_eq!(
        shown.len(),
        30,
        "each name keeps its start and end: {}",
        out.stdout
    );

    // --wide, a wide terminal, and a pipe without COLUMNS: whole names.
    for (columns, extra) in [
        (Some("80"), Some("--wide")),
        (Some("300"), None),
        (None, None),
    ] {
        let mut cmd = env.cmd();
        cmd.env_remove("COLUMNS").arg("ls").args(extra);
        if let Some(c) = columns {
            cmd.env("COLUMNS", c);
        }
        let out = cmd.succeeds();
        assert!(!out.stdout.contains('…'), "{columns:?} {extra:?}");
        assert!(out.stdout.contains(&long_name(7)), "{columns:?} {extra:?}");
    }
}

#[test]
fn ls_keeps_unicode_names_within_the_width() {
    let env = CliEnv::new(BIN);
    let name = format!("{}.jsonl", "日本語のデータセット".repeat(4));
    env.upload("src.jsonl", &jsonl(1), &["--name", &name]);
    let out = env.cmd().env("COLUMNS", "80").arg("ls").succeeds();
    for l in out.stdout.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(l) <= 80, "{l}");
    }
    assert!(out.stdout.contains('…'));
}

/// Checks one drawing of the bars. The progress library pads every bar line with spaces to the
/// terminal's full width, leaving the cursor at its edge so that the next line starts on the next
/// row: a drawing is whole rows, and each row must hold one whole bar whose text stops before the
/// last column. A bar wider than the terminal would spill its end onto the next row.
#[cfg(unix)]
fn assert_whole_rows(piece: &str, cols: usize) {
    let chars: Vec<char> = piece.chars().collect();
    assert_eq!(chars.len() % cols, 0, "not whole rows of {cols}: {piece:?}");
    for row in chars.chunks(cols) {
        let row: String = row.iter().collect();
        let text = row.trim_end();
        assert!(
            text.chars().count() < cols,
            "{} columns: {row:?}",
            text.chars().count()
        );
        assert_eq!(row.matches(" [").count(), 1, "one bar per row: {row:?}");
        assert!(text.ends_with('s'), "the row ends with the ETA: {row:?}");
    }
}

/// A file name long enough to be shortened in an 80-column bar.
#[cfg(unix)]
const LONG: &str = "a-file-name-long-enough-to-be-shortened-in-the-bar-a-file-name-long-enough-to-be-shortened.jsonl";

/// The binary pointed at the environment's emulator, in its directory, with a terminal type and
/// no `COLUMNS` (the width comes from the terminal).
#[cfg(unix)]
fn terminal_cmd(env: &CliEnv) -> std::process::Command {
    let mut c = std::process::Command::new(BIN);
    c.env("MISTRAL_API_KEY", mistral_files_test_support::KEY)
        .env("MISTRAL_BASE_URL", env.url())
        .env_remove("COLUMNS")
        .env("TERM", "xterm")
        .current_dir(env.dir.path());
    c
}

/// The bars drawn in a terminal's output (each checked to be whole rows of `cols`), and the
/// number of result lines starting with `done`.
#[cfg(unix)]
fn drawn(raw: &str, cols: usize, done: &str) -> (Vec<String>, usize) {
    let pieces = pty::pieces(raw);
    let bars: Vec<String> = pieces
        .iter()
        .filter(|p| p.contains(" ["))
        .cloned()
        .collect();
    for p in &bars {
        assert_whole_rows(p, cols);
    }
    let results = pieces.iter().filter(|p| p.starts_with(done)).count();
    (bars, results)
}

#[cfg(unix)]
#[test]
fn progress_bars_are_drawn_in_a_terminal_within_80_columns_and_not_when_piped() {
    let env = CliEnv::new(BIN);
    let body = jsonl(4500); // about 200 KiB
    let ids: Vec<String> = (0..2)
        .map(|i| {
            let name = format!("{i}-{LONG}");
            let f = env.upload(&format!("{i}.jsonl"), &body, &["--name", &name]);
            f["id"].as_str().unwrap().to_string()
        })
        .collect();
    env.emu.faults().throttle_download(256 * 1024);
    let download = |dir: &str| {
        std::fs::create_dir(env.path(dir)).unwrap();
        let mut c = terminal_cmd(&env);
        c.args(["download", &ids[0], &ids[1], "-o", dir]);
        c
    };

    let (status, raw) = pty::run(download("out"), 80, true);
    assert!(status.success(), "{raw}");
    let (bars, done) = drawn(&raw, 80, "✓ downloaded");
    assert!(
        bars.iter().any(|p| p.contains("KiB/s")),
        "no bar drawn:\n{raw:?}"
    );
    let total = bars.iter().any(|p| p.starts_with("total (2 files)"));
    assert!(total, "no total bar:\n{bars:#?}");
    let cut = bars
        .iter()
        .any(|p| p.contains("out/0-") && p.contains("…ned.jsonl"));
    assert!(cut, "long names are shortened:\n{bars:#?}");
    assert_eq!(done, 2, "{raw:?}");

    let (status, raw) = pty::run(download("out2"), 80, false);
    assert!(status.success(), "{raw}");
    assert!(
        raw.trim().is_empty(),
        "drawn with stdout not a terminal: {raw:?}"
    );
    assert_eq!(std::fs::read_dir(env.path("out2")).unwrap().count(), 2);
}

/// Uploads: a bar per file and a total bar, drawn while the server takes its time to answer.
#[cfg(unix)]
#[test]
fn upload_bars_and_their_total_fit_80_columns() {
    let env = CliEnv::new(BIN);
    env.emu
        .faults()
        .set_latency(std::time::Duration::from_millis(400));
    let body = jsonl(4500);
    let paths: Vec<String> = (0..3)
        .map(|i| path_arg(&env.write(&format!("up-{i}-{LONG}"), &body)))
        .collect();
    let mut up = terminal_cmd(&env);
    up.arg("upload").args(&paths);
    let (status, raw) = pty::run(up, 80, true);
    assert!(status.success(), "{raw}");
    let (bars, done) = drawn(&raw, 80, "✓ ");
    let total = bars.iter().any(|p| p.starts_with("total (3 files)"));
    assert!(total, "no total bar:\n{raw:?}");
    assert_eq!(done, 3, "{raw:?}");
}

/// Downloads by filter: one total bar for the whole selection (no bar per file), fed by the
/// library's sum of bytes, within 80 columns; nothing drawn when stdout is not a terminal.
#[cfg(unix)]
#[test]
fn download_by_filter_draws_one_total_bar() {
    let env = CliEnv::new(BIN);
    let body = jsonl(4500); // about 200 KiB
    for i in 0..3 {
        env.upload(
            &format!("{i}.jsonl"),
            &body,
            &["--name", &format!("{i}-{LONG}")],
        );
    }
    env.emu.faults().throttle_download(256 * 1024);
    let download = |dir: &str| {
        let mut c = terminal_cmd(&env);
        c.args(["download", "--all", "-o", dir]);
        c
    };

    let (status, raw) = pty::run(download("out"), 80, true);
    assert!(status.success(), "{raw}");
    let (bars, done) = drawn(&raw, 80, "✓ downloaded");
    assert!(
        bars.iter().any(|p| p.starts_with("total (3 files)")),
        "no total bar:\n{raw:?}"
    );
    let per_file = bars.iter().any(|p| p.contains(LONG.get(..20).unwrap()));
    assert!(!per_file, "a bar per file:\n{bars:#?}");
    assert_eq!(done, 3, "{raw:?}");

    let (status, raw) = pty::run(download("out2"), 80, false);
    assert!(status.success(), "{raw}");
    assert!(
        raw.trim().is_empty(),
        "drawn with stdout not a terminal: {raw:?}"
    );
    assert_eq!(std::fs::read_dir(env.path("out2")).unwrap().count(), 3);
}
