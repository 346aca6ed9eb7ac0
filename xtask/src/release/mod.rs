//! What a change means for a release (`cargo xtask release-check --base REV`): for each
//! publishable crate, the version bump the change from `REV` needs ([`needed`]), whether
//! `Cargo.toml` already has it, and a CHANGELOG draft ([`changelog`]).
//!
//! What each crate's bump is computed from:
//!
//! | crate | from |
//! |---|---|
//! | `mistral-files-raw` | the wire impact (its types and calls are the contract) and its public API listing diff |
//! | `mistral-files` | the wire impact (its users send and read the same requests and bodies) and its public API listing diff: a removed or changed public item is breaking even when the wire is not |
//! | `mistral-files-emulator` | the wire impact: it serves the contract, and a client of the new contract against an old emulator (or the reverse) misbehaves |
//! | `mistral-files-cli` | what `mistral-files` needs: it follows the library (its options come from the library's re-exported enums, its output from the library's types) |
//!
//! The wire impact is the change report's [`Report::impact`] between the two revisions'
//! committed contracts. The needed version is the bump of the crate's version at `REV` (see
//! [`needed`] for the rule, 0.x included); a crate passes when its version now is at least
//! that. So `REV` should be the last release (its tag): against a branch point that already
//! had a bump, a second change would ask for a second bump.
//!
//! The versions are read from the manifests ([`manifest`]): a crate's own `[package] version`
//! or the root `[workspace.package] version`; the root `[workspace.dependencies]` pins of our
//! crates (`version = "0.1.0"`) must equal the crate's version, or cargo resolves against the
//! old one and `cargo publish` of a dependent fails; `Cargo.lock` must list the same
//! versions, or every `--locked` build fails.

pub mod api_diff;
pub mod changelog;
pub mod manifest;

use crate::changes::{self, Impact, Report};
use crate::revision::{self, Rev};
use anyhow::{bail, Context, Result};
use api_diff::ApiDiff;
use manifest::VersionSource;
use semver::Version;
use std::path::Path;
use toml::Table;

/// The publishable crates, in dependency order.
pub const CRATES: [&str; 4] = [
    "mistral-files-raw",
    "mistral-files",
    "mistral-files-emulator",
    "mistral-files-cli",
];

/// The crates with a public API listing, and where it is.
pub const LISTINGS: [(&str, &str); 2] = [
    ("mistral-files", "crates/mistral-files/public-api.txt"),
    (
        "mistral-files-raw",
        "crates/mistral-files-raw/public-api.txt",
    ),
];

/// One crate's verdict.
#[derive(Debug, Clone)]
pub struct CrateCheck {
    /// The crate's name.
    pub name: &'static str,
    /// Its version at the base; `None` when the crate is new since then.
    pub base_version: Option<Version>,
    /// Its version now.
    pub version: Version,
    /// Where that version is written (`Cargo.toml [workspace.package] version`).
    pub written_in: String,
    /// What its release must say: the highest impact of its sources.
    pub impact: Impact,
    /// Where the impact comes from, one phrase each (`wire: breaking`).
    pub reasons: Vec<String>,
    /// The smallest version that releases the change (`None` for a new crate).
    pub needed: Option<Version>,
}

impl CrateCheck {
    /// Whether the version in the manifest is at least the needed one, by SemVer precedence
    /// (build metadata does not count; the semver crate's `Ord` would count it).
    pub fn ok(&self) -> bool {
        let at_least = |n: &Version| self.version.cmp_precedence(n) != std::cmp::Ordering::Less;
        self.needed.as_ref().is_none_or(at_least)
    }
}

/// Everything release-check and the audit say about a change.
#[derive(Debug, Clone)]
pub struct Release {
    /// The old revision.
    pub base: Rev,
    /// The new revision.
    pub head: Rev,
    /// The contract's change report.
    pub report: Report,
    /// Each listed crate's public API diff, in [`LISTINGS`] order.
    pub api: Vec<(&'static str, ApiDiff)>,
    /// Each publishable crate's verdict, in [`CRATES`] order.
    pub crates: Vec<CrateCheck>,
    /// Manifest inconsistencies (a `[workspace.dependencies]` pin that is not the version).
    pub problems: Vec<String>,
}

impl Release {
    /// Compares two revisions of the workspace below `root`.
    pub fn between(root: &Path, base: &Rev, head: &Rev) -> Result<Release> {
        let report = changes::contract::between_revisions(root, base, head)?;
        let mut api = Vec::new();
        for (name, path) in LISTINGS {
            // A listing that does not exist at the base (a new crate) is an empty one.
            let old = revision::read(root, base, path)?.unwrap_or_default();
            let new = revision::read_required(root, head, path)?;
            api.push((name, ApiDiff::between(&old, &new)));
        }
        let wire = report.impact();
        let mut head_root = RootManifest::new(root, head);
        let mut base_root = RootManifest::new(root, base);
        let mut crates: Vec<CrateCheck> = Vec::new();
        for name in CRATES {
            let (impact, reasons) = match name {
                "mistral-files-raw" | "mistral-files" => {
                    let (_, diff) = api
                        .iter()
                        .find(|(n, _)| *n == name)
                        .expect("a listed crate");
                    let (removed, added) = diff.counts();
                    let phrase = format!(
                        "public API: {} ({removed} removed or changed, {added} added)",
                        diff.impact()
                    );
                    (
                        wire.max(diff.impact()),
                        vec![format!("wire: {wire}"), phrase],
                    )
                }
                "mistral-files-emulator" => (wire, vec![format!("wire: {wire}")]),
                _ => {
                    let lib = crates
                        .iter()
                        .find(|c| c.name == "mistral-files")
                        .expect("the library is checked before the CLI");
                    (
                        lib.impact,
                        vec![format!("follows mistral-files: {}", lib.impact)],
                    )
                }
            };
            let (version, written_in) = crate_version(&mut head_root, name)?
                .with_context(|| format!("crate {name} does not exist at {head}"))?;
            let base_version = crate_version(&mut base_root, name)?.map(|(v, _)| v);
            let need = base_version.as_ref().map(|v| needed(v, impact)).transpose();
            crates.push(CrateCheck {
                name,
                needed: need.with_context(|| format!("crate {name}"))?,
                base_version,
                version,
                written_in,
                impact,
                reasons,
            });
        }
        let problems = pin_problems(&mut head_root, &crates)?;
        Ok(Release {
            base: base.clone(),
            head: head.clone(),
            report,
            api,
            crates,
            problems,
        })
    }

    /// Whether every crate's version releases its change and the manifests agree.
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.crates.iter().all(CrateCheck::ok)
    }

    /// One line per crate, then each failure with how to fix it.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "release-check: {} -> {} (wire impact: {})\n",
            self.base,
            self.head,
            self.report.impact()
        );
        for c in &self.crates {
            let from = c
                .base_version
                .as_ref()
                .map_or("new".into(), Version::to_string);
            let needed = c.needed.as_ref().map_or("-".into(), Version::to_string);
            let verdict = if c.ok() { "ok" } else { "TOO LOW" };
            out.push_str(&format!(
                "{:<24} {impact:<8} {from} -> needs {needed}, is {} ({verdict}); {}\n",
                c.name,
                c.version,
                c.reasons.join("; "),
                impact = c.impact.to_string(),
            ));
        }
        for c in self.crates.iter().filter(|c| !c.ok()) {
            out.push_str(&format!(
                "error: {} is {} but its {} changes since {} need {}: raise {}\n",
                c.name,
                c.version,
                c.impact,
                self.base,
                c.needed.as_ref().expect("a failing crate has a need"),
                c.written_in
            ));
        }
        for p in &self.problems {
            out.push_str(&format!("error: {p}\n"));
        }
        out
    }
}

/// The smallest version that releases a change of `impact` made after `base`.
///
/// Cargo treats two versions as compatible when their left-most non-zero component is the same
/// (`^1.2.3` accepts `1.9.0`; `^0.2.3` accepts `0.2.9` but not `0.3.0`; `^0.0.3` accepts only
/// `0.0.3`). So the bump that makes a release of a change is:
///
/// | base | breaking | additive | docs | none |
/// |---|---|---|---|---|
/// | `X.y.z`, X >= 1 | `(X+1).0.0` | `X.(y+1).0` | `X.y.(z+1)` | `X.y.z` |
/// | `0.Y.z`, Y >= 1 | `0.(Y+1).0` | `0.Y.(z+1)` | `0.Y.(z+1)` | `0.Y.z` |
/// | `0.0.Z` | `0.0.(Z+1)` | `0.0.(Z+1)` | `0.0.(Z+1)` | `0.0.Z` |
///
/// - Before 1.0 Cargo has no separate "minor" level: an additive change is a patch release.
/// - `0.0.Z` releases are each incompatible with all others, so every change is a new one.
/// - A doc-only change (the generated code's doc text) needs a patch release to reach docs.rs;
///   `none` (a provider rename our names absorb) needs no release at all.
///
/// A version satisfies what a change needs when it is at least the needed version by semver
/// precedence ([`CrateCheck::ok`]): `0.3.0` satisfies a breaking change from `0.1.4` (it is
/// incompatible with it too). Pre-release bases are refused (the table has no row for them): a
/// pre-release is tagged by hand.
pub fn needed(base: &Version, impact: Impact) -> Result<Version> {
    if !base.pre.is_empty() {
        bail!("{base} is a pre-release: release-check computes bumps from releases only");
    }
    let (major, minor, patch) = (base.major, base.minor, base.patch);
    let (major, minor, patch) = match (impact, major, minor) {
        (Impact::None, ..) => (major, minor, patch),
        (_, 0, 0) => (0, 0, patch + 1),
        (Impact::Breaking, 0, _) => (0, minor + 1, 0),
        (Impact::Additive | Impact::Docs, 0, _) => (0, minor, patch + 1),
        (Impact::Breaking, ..) => (major + 1, 0, 0),
        (Impact::Additive, ..) => (major, minor + 1, 0),
        (Impact::Docs, ..) => (major, minor, patch + 1),
    };
    Ok(Version::new(major, minor, patch))
}

/// A revision's root manifest, read and parsed the first time it is needed (a revision whose
/// crates all have their own version need not have one until [`pin_problems`]).
struct RootManifest<'a> {
    root: &'a Path,
    rev: &'a Rev,
    parsed: Option<Table>,
}

impl<'a> RootManifest<'a> {
    fn new(root: &'a Path, rev: &'a Rev) -> Self {
        RootManifest {
            root,
            rev,
            parsed: None,
        }
    }

    /// The parsed `Cargo.toml` at the revision.
    fn get(&mut self) -> Result<&Table> {
        let parsed = match self.parsed.take() {
            Some(parsed) => parsed,
            None => {
                let text = revision::read_required(self.root, self.rev, "Cargo.toml")?;
                manifest::parse(&text, "Cargo.toml")?
            }
        };
        Ok(self.parsed.insert(parsed))
    }
}

/// A crate's version at the root manifest's revision and where it is written; `None` when the
/// crate does not exist.
fn crate_version(
    root_manifest: &mut RootManifest,
    name: &str,
) -> Result<Option<(Version, String)>> {
    let (root, rev) = (root_manifest.root, root_manifest.rev);
    let path = format!("crates/{name}/Cargo.toml");
    let Some(manifest) = revision::read(root, rev, &path)? else {
        return Ok(None);
    };
    let manifest = manifest::parse(&manifest, &path)?;
    let (text, written_in) = match manifest::package_version(&manifest, &path)? {
        VersionSource::Own(v) => (v, format!("[package] version in {path}")),
        VersionSource::Workspace => (
            manifest::workspace_version(root_manifest.get()?)?,
            "[workspace.package] version in Cargo.toml (and our crates' pins in [workspace.dependencies])".to_string(),
        ),
    };
    let version = Version::parse(&text).with_context(|| format!("{path} at {rev}"))?;
    Ok(Some((version, written_in)))
}

/// `[workspace.dependencies]` pins of our crates that differ from the crates' versions.
fn pin_problems(root_manifest: &mut RootManifest, crates: &[CrateCheck]) -> Result<Vec<String>> {
    let (root, rev) = (root_manifest.root, root_manifest.rev);
    let manifest = root_manifest.get()?;
    let mut out = Vec::new();
    for c in crates {
        let Some(pin) = manifest::workspace_dependency_version(manifest, c.name)? else {
            continue;
        };
        let pinned = Version::parse(pin.trim_start_matches(['^', '=']).trim());
        if !pinned.is_ok_and(|p| p == c.version) {
            out.push(format!(
                "Cargo.toml [workspace.dependencies] pins {} to version \"{pin}\" but the crate is {}: make them the same",
                c.name, c.version
            ));
        }
    }
    // Cargo.lock records each workspace crate's version: a bump not yet in it makes every
    // `--locked` build (CI, `cargo publish --locked`) fail.
    if let Some(lock) = revision::read(root, rev, "Cargo.lock")? {
        let lock = manifest::parse(&lock, "Cargo.lock")?;
        for c in crates {
            let Some(locked) = manifest::locked_version(&lock, c.name)? else {
                continue;
            };
            if Version::parse(&locked).ok().as_ref() != Some(&c.version) {
                out.push(format!(
                    "Cargo.lock lists {} {locked} but the crate is {}: run `cargo update --workspace`",
                    c.name, c.version
                ));
            }
        }
    }
    Ok(out)
}
