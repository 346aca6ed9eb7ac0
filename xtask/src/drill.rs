//! The spec-change drill: small provider-style documents of our own, each a change the provider
//! could make, run through `import` + `codegen` to check the impact the change report gives
//! (and, with `cargo xtask drill --build`, that the workspace still builds for the non-breaking
//! ones, and that an added field and enum value reach users).
//!
//! The base document is `xtask/tests/fixtures/provider.yaml`; each case in
//! `xtask/tests/fixtures/cases/` edits it with text replacements (`replace`, for renames) and
//! overlay actions (`actions`), may edit our own files the same way (`overlay_actions` are
//! appended to `openapi/overlay.yaml`'s actions, `overlay_replace` and `docs_replace` edit
//! `openapi/overlay.yaml` and `openapi/docs.yaml` as text), and says the impact it `expect`s
//! and the report `lines` (and `notes`) it must contain.

use crate::changes::contract::{self, Side};
use crate::changes::{Impact, Report};
use crate::codegen::{self, GeneratedFile, Inputs};
use crate::names::NameMap;
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The base provider-style document, relative to the workspace root.
pub const BASE: &str = "xtask/tests/fixtures/provider.yaml";
/// The cases, relative to the workspace root.
pub const CASES: &str = "xtask/tests/fixtures/cases";

/// One change the provider could make: a case file, every key optional but `expect`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The file name without `.yaml`.
    #[serde(skip)]
    pub name: String,
    /// The impact the change report must give.
    #[serde(deserialize_with = "impact")]
    pub expect: Impact,
    /// Text replacements applied to the base document, in order (each must match).
    #[serde(default)]
    pub replace: Vec<Replacement>,
    /// Overlay actions applied to the base before anything else, on both sides: the state
    /// the change starts from (a bound to widen, say).
    pub base_actions: Option<Value>,
    /// Overlay actions applied after the replacements.
    pub actions: Option<Value>,
    /// Actions appended to our overlay.
    #[serde(default)]
    pub overlay_actions: Vec<Value>,
    /// Text replacements in our overlay.
    #[serde(default)]
    pub overlay_replace: Vec<Replacement>,
    /// Text replacements in our doc text.
    #[serde(default)]
    pub docs_replace: Vec<Replacement>,
    /// Lines the report must contain (each a substring of one line of `to_text()`).
    #[serde(default)]
    pub lines: Vec<String>,
    /// Substrings the report's notes must contain.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Substrings no line of the report may contain.
    #[serde(default)]
    pub absent: Vec<String>,
    /// A test of `xtask/tests/fixtures/drill/` that `--build` runs in the regenerated copy.
    pub drill_test: Option<String>,
    /// Whether `cargo xtask drill --build` builds the workspace for this case (a build takes
    /// minutes: the cases that prove the pipeline survives a kind of change set it).
    #[serde(default)]
    pub build: bool,
}

/// One text replacement; `from` must occur in the text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// The text to find.
    pub from: String,
    /// What replaces it.
    pub to: String,
}

fn impact<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Impact, D::Error> {
    let text = String::deserialize(d)?;
    [
        Impact::None,
        Impact::Docs,
        Impact::Additive,
        Impact::Breaking,
    ]
    .into_iter()
    .find(|i| i.to_string() == text)
    .ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`expect` must be none, docs, additive or breaking, found {text:?}"
        ))
    })
}

/// What import + codegen made of a case.
#[derive(Debug)]
pub struct Outcome {
    /// The vendored spec import wrote, and our overlay and doc text as the case left them.
    pub inputs: Inputs,
    /// Notes of import and codegen (names not pinned, doc entries that match nothing).
    pub notes: Vec<String>,
    /// The generated files.
    pub files: Vec<GeneratedFile>,
    /// The change report against the unedited base.
    pub report: Report,
}

/// Reads every case, sorted by name.
pub fn cases(root: &Path) -> Result<Vec<Case>> {
    let mut out = Vec::new();
    let dir = root.join(CASES);
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            out.push(read_case(&path)?);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn read_case(path: &Path) -> Result<Case> {
    let mut case: Case = serde_json::from_value(crate::doc::read(path)?)
        .with_context(|| format!("reading the case {}", path.display()))?;
    case.name = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    Ok(case)
}

/// `cargo xtask drill [--build] [--case NAME]... [--report]`: runs the cases (`only` these if
/// any), printing a line per case and `drill passed` or `drill failed: ...` last; true if passed.
pub fn command(root: &Path, build: bool, only: &[String], report: bool) -> Result<bool> {
    let chosen = cases(root)?.into_iter();
    let chosen = chosen.filter(|c| only.is_empty() || only.contains(&c.name));
    let failed: Vec<String> = chosen
        .filter(|case| !check(root, case, build, report))
        .map(|case| case.name)
        .collect();
    if failed.is_empty() {
        println!("drill passed");
    } else {
        println!("drill failed: {}", failed.join(", "));
    }
    Ok(failed.is_empty())
}

/// Runs (and with `build`, builds) one case of [`command`], printing its lines; whether it passed.
fn check(root: &Path, case: &Case, build: bool, report: bool) -> bool {
    let outcome = match run(root, case) {
        Ok(outcome) => outcome,
        Err(e) => {
            println!("{}: FAILED to import and generate: {e:#}", case.name);
            return false;
        }
    };
    let impact = outcome.report.impact();
    let missing = missing(case, &outcome);
    let ok = impact == case.expect && missing.is_empty();
    let verdict = if ok { "ok" } else { "WRONG" };
    println!(
        "{}: impact {impact} (expected {}) {verdict}",
        case.name, case.expect
    );
    for m in &missing {
        println!("  missing: {m}");
    }
    if !ok || report {
        for note in &outcome.notes {
            println!("  note: {note}");
        }
        for line in outcome.report.to_text().lines() {
            println!("  {line}");
        }
    }
    if ok && build && case.build {
        if let Err(e) = self::build(root, case, &outcome) {
            println!("{}: build failed: {e:#}", case.name);
            return false;
        }
    }
    ok
}

/// The expected report lines and notes the outcome lacks (and the lines it should not have).
pub fn missing(case: &Case, outcome: &Outcome) -> Vec<String> {
    let text = outcome.report.to_text();
    let mut out: Vec<String> = case
        .lines
        .iter()
        .filter(|l| !text.lines().any(|line| line.contains(l.as_str())))
        .map(|l| format!("line {l:?}"))
        .collect();
    out.extend(
        case.absent
            .iter()
            .filter(|a| text.contains(a.as_str()))
            .map(|a| format!("no line with {a:?}, yet the report has one")),
    );
    out.extend(
        case.notes
            .iter()
            .filter(|n| !outcome.notes.iter().any(|note| note.contains(n.as_str())))
            .map(|n| format!("note {n:?}")),
    );
    out
}

/// `text` with each replacement applied; each must match.
fn replaced(case: &str, what: &str, text: &str, pairs: &[Replacement]) -> Result<String> {
    let mut text = text.to_string();
    for Replacement { from, to } in pairs {
        if !text.contains(from.as_str()) {
            bail!("case {case}: {from:?} is not in {what}");
        }
        text = text.replace(from.as_str(), to);
    }
    Ok(text)
}

/// The base document as the case starts from it, or (`changed`) with the case's change.
fn document(base: &str, case: &Case, changed: bool) -> Result<Value> {
    let replace: &[Replacement] = if changed { &case.replace } else { &[] };
    let mut doc = crate::doc::parse(&replaced(&case.name, "the base document", base, replace)?)?;
    edit(&mut doc, case, case.base_actions.as_ref())?;
    edit(&mut doc, case, case.actions.as_ref().filter(|_| changed))?;
    Ok(doc)
}

fn edit(doc: &mut Value, case: &Case, actions: Option<&Value>) -> Result<()> {
    if let Some(actions) = actions {
        let overlay = json!({"overlay": "1.0.0", "info": {"title": case.name, "version": "1"}, "actions": actions});
        let missed =
            crate::overlay::apply(doc, &overlay).with_context(|| format!("case {}", case.name))?;
        if !missed.is_empty() {
            bail!("case {}: {}", case.name, missed.join("; "));
        }
    }
    Ok(())
}

/// Our overlay and doc text with the case's edits.
fn our_files(committed: &Inputs, case: &Case) -> Result<Inputs> {
    let mut overlay = replaced(
        &case.name,
        "openapi/overlay.yaml",
        &committed.overlay,
        &case.overlay_replace,
    )?;
    if !case.overlay_actions.is_empty() {
        let mut doc = crate::doc::parse(&overlay)?;
        let actions = doc
            .get_mut("actions")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| anyhow!("the overlay has no actions"))?;
        actions.extend(case.overlay_actions.iter().cloned());
        overlay = crate::doc::to_canonical_yaml(&doc)?;
    }
    Ok(Inputs {
        spec: committed.spec.clone(),
        overlay,
        docs: replaced(
            &case.name,
            "openapi/docs.yaml",
            &committed.docs,
            &case.docs_replace,
        )?,
    })
}

/// Runs import + codegen on a provider document with the given names, overlay and docs.
fn import_and_generate(
    root: &Path,
    provider: &Value,
    ours: &Inputs,
) -> Result<(Side, Vec<String>, Vec<GeneratedFile>)> {
    let names_text = std::fs::read_to_string(root.join(crate::names::NAMES))?;
    let names = NameMap::parse(&names_text)?;
    let imported = crate::import::import(provider, &names)?;
    let inputs = Inputs {
        spec: imported.yaml.clone(),
        ..ours.clone()
    };
    let files = codegen::generate_all(root, &inputs)?;
    let raw_listing = GeneratedFile::find(&files, crate::inputs::RAW_LISTING).map(str::to_string);
    let side = Side {
        inputs,
        names: names_text,
        raw_listing,
    };
    Ok((side, imported.notes, files))
}

/// Runs one case against the unedited base.
pub fn run(root: &Path, case: &Case) -> Result<Outcome> {
    let base =
        std::fs::read_to_string(root.join(BASE)).context("reading the drill's base document")?;
    let committed = Inputs::read(root)?;
    let before = match &case.base_actions {
        Some(_) => import_and_generate(root, &document(&base, case, false)?, &committed)?.0,
        None => unedited_base(root, &base, &committed)?,
    };
    let ours = our_files(&committed, case)?;
    let (after, mut notes, files) =
        import_and_generate(root, &document(&base, case, true)?, &ours)?;
    let report = contract::report(&before, &after)?;
    notes.extend(report.notes.iter().cloned());
    Ok(Outcome {
        inputs: after.inputs,
        notes,
        files,
        report,
    })
}

/// The unedited base, imported and generated once per process (most cases start from it).
fn unedited_base(root: &Path, base: &str, committed: &Inputs) -> Result<Side> {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<(PathBuf, String), Side>>> = OnceLock::new();
    let cache = || {
        CACHE
            .get_or_init(Default::default)
            .lock()
            .expect("the cache lock")
    };
    let key = (
        root.to_path_buf(),
        format!("{base}{}{}", committed.overlay, committed.docs),
    );
    if let Some(side) = cache().get(&key) {
        return Ok(side.clone());
    }
    // Not locked meanwhile: the cases run on several threads.
    let side = import_and_generate(root, &crate::doc::parse(base)?, committed)?.0;
    cache().insert(key, side.clone());
    Ok(side)
}

/// A copy of the checkout's tracked files in `dest` (for building a case without touching the
/// checkout).
fn copy_checkout(root: &Path, dest: &Path) -> Result<()> {
    let out = std::process::Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .context("running git ls-files")?;
    if !out.status.success() {
        bail!("git ls-files failed in {}", root.display());
    }
    for rel in out.stdout.split(|b| *b == 0).filter(|s| !s.is_empty()) {
        let rel = PathBuf::from(String::from_utf8_lossy(rel).into_owned());
        let (from, to) = (root.join(&rel), dest.join(&rel));
        if !from.exists() {
            continue; // deleted in the work tree
        }
        std::fs::create_dir_all(to.parent().expect("a file path"))?;
        std::fs::copy(&from, &to).with_context(|| format!("copying {}", rel.display()))?;
    }
    Ok(())
}

/// Where the drill's tests live, relative to the workspace root.
const DRILL_TESTS: &str = "xtask/tests/fixtures/drill";

/// Builds a non-breaking case for real: a copy of the checkout below `work`, the case imported
/// and generated into it, then `cargo check --workspace --all-targets` (and the case's
/// `drill_test` with `cargo test`). Build output goes to `target/drill-target`, shared between
/// cases.
fn build(root: &Path, case: &Case, outcome: &Outcome) -> Result<()> {
    let target_dir = &root.join("target/drill-target");
    let copy = root.join("target/drill").join(&case.name);
    if copy.exists() {
        std::fs::remove_dir_all(&copy)?;
    }
    copy_checkout(root, &copy)?;
    let ours = &outcome.inputs;
    crate::write_inside(&copy, Path::new(codegen::SPEC), &ours.spec)?;
    crate::write_inside(&copy, Path::new(codegen::OVERLAY), &ours.overlay)?;
    crate::write_inside(&copy, Path::new(codegen::DOCS), &ours.docs)?;
    codegen::write(&copy, &outcome.files)?;
    cargo(
        &copy,
        target_dir,
        &["check", "--workspace", "--all-targets", "--locked"],
    )?;
    if let Some(test) = &case.drill_test {
        let text = std::fs::read_to_string(root.join(DRILL_TESTS).join(test))?;
        let name = format!("drill_{}", test.trim_end_matches(".rs"));
        crate::write_inside(
            &copy,
            &Path::new("crates/mistral-files/tests").join(format!("{name}.rs")),
            &text,
        )?;
        cargo(
            &copy,
            target_dir,
            &["test", "-p", "mistral-files", "--test", &name, "--locked"],
        )?;
    }
    Ok(())
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<()> {
    println!("  $ cargo {} (in {})", args.join(" "), dir.display());
    let status =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .context("running cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed in {}", args.join(" "), dir.display());
    }
    Ok(())
}
