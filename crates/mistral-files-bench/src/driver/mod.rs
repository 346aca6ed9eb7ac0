//! The benchmark driver (`cargo xtask bench`, which runs the `bench` binary): the crate's (and its
//! CLI's) transfer, listing and concurrency figures against three baselines (`curl` and the
//! provider's Python and TypeScript SDKs), written to `docs/BENCHMARKS.md`.
//!
//! It builds this crate's other binaries in release mode and runs every client and server as its
//! own process, so that each one's wall time and peak RSS are its own:
//! - `bench-server bare`: a sink/source (discards uploads, streams zeros), to show each client's
//!   raw speed; `bench-server emulator`: the emulator;
//! - `bench-client`: one operation of the `mistral-files` crate per process;
//! - `mistral-files`: the CLI, one command per process, as a row of its own;
//! - `curl`, the Python SDK (in its own venv under the target dir) and the TypeScript SDK (npm,
//!   under the target dir, run by `node`) as baselines.
//!
//! Each figure is the median of several runs (clients interleaved run by run, so that noise from
//! the machine hits them alike), with min/max and the ratio to the faster baseline.
//!
//! The modules, one concern each: [`args`] (options and the settings derived from them),
//! [`cargo`] (building the binaries and finding them), [`process`] (spawning, waiting for and
//! stopping processes), [`memory`] (a server's peak RSS), [`data`] (test files), [`python`] (the
//! Python SDK's venv and script), [`node`] (the TypeScript SDK's install and script),
//! [`clients`] (one operation of each client), [`scenarios`] (one module per section) and
//! [`report`] (the Markdown report).

pub mod args;
pub mod cargo;
pub mod clients;
pub mod data;
pub mod memory;
pub mod node;
pub mod process;
pub mod python;
pub mod report;
pub mod sample;
pub mod scenarios;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

pub use args::{target_dir, BenchArgs, Section};
use clients::Tools;
use report::Doc;

/// The workspace root (this crate lives in `crates/mistral-files-bench`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate lives two levels below the workspace root")
        .to_path_buf()
}

/// Runs the bench and writes the report.
pub fn run(root: &Path, cfg: &BenchArgs) -> Result<()> {
    cfg.validate()?;
    let target = target_dir(root);
    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;
    let mut doc = Doc::new(cfg);
    let curl = find_curl(cfg, &mut doc);
    let py = setup_python(cfg, &target, &work, &mut doc);
    let node = setup_node(cfg, &target, &mut doc);
    for m in &doc.missing {
        eprintln!("bench: {m}");
    }
    let bins = cargo::build_binaries(root)?;
    doc.machine = report::machine(
        curl.as_deref(),
        py.as_ref()
            .map(|p| (p.python.as_path(), p.sdk_version.as_str())),
        node.as_ref()
            .map(|n| (n.node_version.as_str(), n.sdk_version.as_str())),
    );
    if let Some(p) = &py {
        // Compile the SDK's bytecode once, outside any measurement.
        let _ = Command::new(&p.python)
            .args(["-c", "import mistralai.client"])
            .status();
    }
    let tools = Tools {
        launcher: cfg!(unix).then_some(bins.launcher),
        client: bins.client,
        server: bins.server,
        cli: bins.cli,
        curl,
        py,
        node,
        work,
    };
    let mut cleanup: Vec<PathBuf> = Vec::new();
    let result = scenarios::run_all(cfg, &tools, &mut doc, &mut cleanup);
    if !cfg.keep_data() {
        remove_all(&cleanup);
    }
    result?;
    let out = cfg.out(root, &target);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // The build-cost section (written by `cargo xtask build-cost`) is kept as it is.
    let existing = std::fs::read_to_string(&out).ok();
    let text = crate::build_cost::report::keep_section(existing.as_deref(), &doc.render());
    std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}

/// `curl` if wanted and on PATH; else why not, in `doc.missing`.
fn find_curl(cfg: &BenchArgs, doc: &mut Doc) -> Option<String> {
    if !cfg.curl() {
        doc.missing.push("curl baseline skipped (--no-curl)".into());
        None
    } else if process::available("curl") {
        Some("curl".to_string())
    } else {
        doc.missing
            .push("curl was not found on PATH: the curl baseline is missing".into());
        None
    }
}

/// The Python SDK's venv if wanted and it can be set up; else why not, in `doc.missing`.
fn setup_python(
    cfg: &BenchArgs,
    target: &Path,
    work: &Path,
    doc: &mut Doc,
) -> Option<python::Venv> {
    if !cfg.python() {
        doc.missing
            .push("Python SDK baseline skipped (--no-python)".into());
        return None;
    }
    if !process::available("python3") {
        doc.missing
            .push("python3 was not found on PATH: the Python SDK baseline is missing".into());
        return None;
    }
    match python::setup("python3", &target.join("bench-venv"), work) {
        Ok(v) => Some(v),
        Err(e) => {
            doc.missing.push(format!(
                "the Python SDK could not be set up ({e:#}): its baseline is missing"
            ));
            None
        }
    }
}

/// The TypeScript SDK's install if wanted and it can be set up; else why not, in `doc.missing`.
fn setup_node(cfg: &BenchArgs, target: &Path, doc: &mut Doc) -> Option<node::NodeSdk> {
    if !cfg.node() {
        doc.missing
            .push("TypeScript SDK baseline skipped (--no-node)".into());
        return None;
    }
    for tool in ["node", "npm"] {
        if !process::available(tool) {
            doc.missing.push(format!(
                "{tool} was not found on PATH: the TypeScript SDK baseline is missing"
            ));
            return None;
        }
    }
    match node::setup("node", "npm", &target.join("bench-node")) {
        Ok(n) => Some(n),
        Err(e) => {
            doc.missing.push(format!(
                "the TypeScript SDK could not be set up ({e:#}): its baseline is missing"
            ));
            None
        }
    }
}

/// Removes work files and directories, ignoring errors (some were never created).
fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
    }
}
