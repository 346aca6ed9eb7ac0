//! `--help` lists only the options that apply to each command, under headings, with examples;
//! usage lines never make environment-filled options look required; completions for four shells
//! and the man page generate.

use mistral_files_test_support::cli::{cli, Run};
use mistral_files_test_support::KEY;

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_mistral-files");

const COMMANDS: [&str; 10] = [
    "upload",
    "ls",
    "get",
    "rm",
    "url",
    "download",
    "serve",
    "demo",
    "completions",
    "man",
];

/// The options a command's help lists (`--name` words at the start of option lines).
fn options(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            // `-o, --output <PATH>`: the long form after the short one
            let b = l.as_bytes();
            let l = if b.len() > 6 && b[0] == b'-' && b[1] != b'-' && &l[2..6] == ", --" {
                &l[4..]
            } else {
                l
            };
            l.starts_with("--")
                .then(|| l.split([' ', '.']).next().unwrap_or(l).to_string())
        })
        .collect()
}

#[test]
fn each_command_lists_only_its_options_under_headings_with_examples() {
    for cmd in COMMANDS {
        let out = cli(BIN).args([cmd, "--help"]).succeeds();
        let help = &out.stdout;
        assert!(
            help.contains("\nExamples:\n  $ mistral-files")
                || help.contains("\nExamples:\n  $ mistral-files man"),
            "{cmd}: {help}"
        );
        assert!(
            help.contains("Global options:\n  -v, --verbose"),
            "{cmd}: {help}"
        );
        let opts = options(help);
        let api = ["upload", "ls", "get", "rm", "url", "download"].contains(&cmd);
        for client_opt in ["--base-url", "--retries"] {
            assert_eq!(
                opts.iter().any(|o| o == client_opt),
                api,
                "{cmd} {client_opt}: {opts:?}"
            );
        }
        assert_eq!(help.contains("Client options:"), api, "{cmd}");
        // serve takes a key of its own (the one it expects); demo none at all
        assert_eq!(
            opts.iter().any(|o| o == "--api-key"),
            api || cmd == "serve",
            "{cmd}: {opts:?}"
        );
        let json = !["completions", "man"].contains(&cmd);
        assert_eq!(opts.iter().any(|o| o == "--json"), json, "{cmd}: {opts:?}");
    }
    let main = cli(BIN).arg("--help").succeeds();
    for cmd in COMMANDS {
        assert!(
            main.stdout.contains(&format!("\n  {cmd} ")),
            "{cmd}: {}",
            main.stdout
        );
    }
}

#[test]
fn serve_and_demo_refuse_client_options() {
    for args in [
        ["serve", "--base-url", "http://127.0.0.1:9"],
        ["serve", "--retries", "2"],
        ["demo", "--api-key", "x"],
        ["demo", "--base-url", "http://127.0.0.1:9"],
    ] {
        let out = cli(BIN).args(args).fails_with(2);
        assert!(
            out.stderr.contains("unexpected argument"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn usage_lines_do_not_show_environment_filled_options() {
    let out = cli(BIN)
        .env("MISTRAL_API_KEY", KEY)
        .env("MISTRAL_BASE_URL", "http://127.0.0.1:9")
        .arg("get")
        .fails_with(2);
    let e = &out.stderr;
    assert!(e.contains("Usage: mistral-files get <ID>\n"), "{e}");
    assert!(!e.contains("--base-url") && !e.contains("--api-key"), "{e}");
    out.assert_no_key();
}

#[test]
fn completions_generate_for_four_shells() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "-o default mistral-files"),
        ("zsh", "#compdef mistral-files"),
        ("fish", "complete -c mistral-files"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = cli(BIN).args(["completions", shell]).succeeds();
        let script = &out.stdout;
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["download", "purpose", "jsonl", "completions"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        assert!(out.stderr.is_empty());
        let path = dir.path().join(shell);
        std::fs::write(&path, script).unwrap();
        // bash and zsh can check the syntax without running anything, when installed
        for (sh, check) in [("bash", "bash"), ("zsh", "zsh")] {
            if shell == sh {
                if let Ok(st) = std::process::Command::new(check)
                    .arg("-n")
                    .arg(&path)
                    .status()
                {
                    assert!(st.success(), "{check} -n refuses the {shell} script");
                }
            }
        }
    }
    let out = cli(BIN).args(["completions", "tcsh"]).fails_with(2);
    assert!(out.stderr.contains("possible values"), "{}", out.stderr);
}

#[test]
fn man_page_prints_and_writes_one_page_per_command() {
    let out = cli(BIN).arg("man").succeeds();
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH mistral-files"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("completions"), "{}", out.stdout);
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    cli(BIN).arg("man").arg("--dir").arg(&pages).succeeds();
    for page in [
        "mistral-files.1",
        "mistral-files-ls.1",
        "mistral-files-download.1",
    ] {
        let text =
            std::fs::read_to_string(pages.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
}

/// The exit codes `--help` lists, the CLI README's table and the root README's sentence name
/// the same codes.
#[test]
fn exit_codes_are_the_same_in_help_and_both_readmes() {
    let codes = |text: &str| -> std::collections::BTreeSet<u32> {
        text.split(|c: char| !c.is_ascii_digit())
            .filter_map(|w| w.parse().ok())
            .filter(|c| *c <= 255)
            .collect()
    };
    let help = cli(BIN).arg("--help").succeeds().stdout;
    let section = help
        .split("Exit codes:")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("an Exit codes section");
    let help_codes: std::collections::BTreeSet<u32> = section
        .lines()
        .filter_map(|l| l.trim().split("  ").next())
        .flat_map(codes)
        .collect();
    let manifest = env!("CARGO_MANIFEST_DIR");
    let cli_readme = std::fs::read_to_string(format!("{manifest}/README.md")).unwrap();
    let table = cli_readme
        .split("## Exit codes")
        .nth(1)
        .and_then(|s| s.split("\n\n").nth(1))
        .expect("an exit code table");
    let table_codes: std::collections::BTreeSet<u32> = table
        .lines()
        .skip(2)
        .filter_map(|l| l.split('|').nth(1))
        .flat_map(codes)
        .collect();
    let root = std::fs::read_to_string(format!("{manifest}/../../README.md")).unwrap();
    let sentence = root
        .split("exit codes (")
        .nth(1)
        .and_then(|s| s.split(" when").next())
        .expect("the root README's exit codes");
    let root_codes = codes(sentence);
    let all: std::collections::BTreeSet<u32> = [0, 1, 2, 129, 130, 143].into();
    assert_eq!(help_codes, all, "--help: {section}");
    assert_eq!(table_codes, all, "CLI README: {table}");
    assert_eq!(root_codes, all, "root README: {sentence}");
}
