//! Versions and the bump a change needs, by Cargo's semver rules.
//!
//! Cargo treats two versions as compatible when their left-most non-zero component is the same
//! (`^1.2.3` accepts `1.9.0`; `^0.2.3` accepts `0.2.9` but not `0.3.0`; `^0.0.3` accepts only
//! `0.0.3`). So the bump that makes a release of a change is:
//!
//! | base | breaking | additive | docs | none |
//! |---|---|---|---|---|
//! | `X.y.z`, X >= 1 | `(X+1).0.0` | `X.(y+1).0` | `X.y.(z+1)` | `X.y.z` |
//! | `0.Y.z`, Y >= 1 | `0.(Y+1).0` | `0.Y.(z+1)` | `0.Y.(z+1)` | `0.Y.z` |
//! | `0.0.Z` | `0.0.(Z+1)` | `0.0.(Z+1)` | `0.0.(Z+1)` | `0.0.Z` |
//!
//! - Before 1.0 Cargo has no separate "minor" level: an additive change is a patch release.
//! - `0.0.Z` releases are each incompatible with all others, so every change is a new one.
//! - A doc-only change (the generated code's doc text) needs a patch release to reach docs.rs;
//!   `none` (a provider rename our names absorb) needs no release at all.
//!
//! A version satisfies what a change needs when it is at least the needed version by semver
//! precedence: `0.3.0` satisfies a breaking change from `0.1.4` (it is incompatible with it
//! too). Pre-release base versions are refused (the table has no row for them): a
//! pre-release is tagged by hand.

use crate::changes::Impact;
use anyhow::{bail, Result};
use std::cmp::Ordering;
use std::fmt;

/// A semver version: `MAJOR.MINOR.PATCH`, optionally `-PRE` (build metadata `+...` is kept
/// for display and ignored in comparisons, as semver says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// MAJOR.
    pub major: u64,
    /// MINOR.
    pub minor: u64,
    /// PATCH.
    pub patch: u64,
    /// The pre-release identifiers (`alpha.1`), empty for a release.
    pub pre: String,
    /// Build metadata, empty when absent.
    pub build: String,
}

impl Version {
    /// Parses `1.2.3`, `1.2.3-alpha.1`, `1.2.3+build`.
    pub fn parse(text: &str) -> Result<Version> {
        let text = text.trim();
        let (rest, build) = text.split_once('+').unwrap_or((text, ""));
        let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
        let parts: Vec<&str> = core.split('.').collect();
        let number = |s: &str| -> Result<u64> {
            // Semver forbids leading zeros; Cargo refuses them too.
            if s.is_empty() || (s.len() > 1 && s.starts_with('0')) {
                bail!("`{text}` is not a semver version (MAJOR.MINOR.PATCH)");
            }
            s.parse().map_err(|_| {
                anyhow::anyhow!("`{text}` is not a semver version (MAJOR.MINOR.PATCH)")
            })
        };
        if parts.len() != 3 || (text.contains('-') && pre.is_empty()) {
            bail!("`{text}` is not a semver version (MAJOR.MINOR.PATCH)");
        }
        Ok(Version {
            major: number(parts[0])?,
            minor: number(parts[1])?,
            patch: number(parts[2])?,
            pre: pre.to_string(),
            build: build.to_string(),
        })
    }

    /// The smallest version that releases a change of `impact` made after `self` (the table
    /// of the module's doc).
    pub fn needed(&self, impact: Impact) -> Result<Version> {
        if !self.pre.is_empty() {
            bail!("{self} is a pre-release: release-check computes bumps from releases only");
        }
        let (major, minor, patch) = (self.major, self.minor, self.patch);
        let (major, minor, patch) = match (impact, major, minor) {
            (Impact::None, ..) => (major, minor, patch),
            (_, 0, 0) => (0, 0, patch + 1),
            (Impact::Breaking, 0, _) => (0, minor + 1, 0),
            (Impact::Additive | Impact::Docs, 0, _) => (0, minor, patch + 1),
            (Impact::Breaking, ..) => (major + 1, 0, 0),
            (Impact::Additive, ..) => (major, minor + 1, 0),
            (Impact::Docs, ..) => (major, minor, patch + 1),
        };
        Ok(Version {
            major,
            minor,
            patch,
            pre: String::new(),
            build: String::new(),
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semver precedence: the numbers, then a release above its pre-releases, pre-release
/// identifiers compared one by one (numeric ones as numbers, below alphanumeric ones).
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let numbers =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        numbers.then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let ids = |p: &str| -> Vec<(bool, u64, String)> {
                    p.split('.')
                        .map(|id| match id.parse::<u64>() {
                            Ok(n) => (false, n, String::new()),
                            Err(_) => (true, 0, id.to_string()),
                        })
                        .collect()
                };
                ids(&self.pre).cmp(&ids(&other.pre))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn needed(base: &str, impact: Impact) -> String {
        v(base).needed(impact).unwrap().to_string()
    }

    #[test]
    fn before_one_a_breaking_change_bumps_the_minor_and_anything_else_the_patch() {
        assert_eq!(needed("0.1.0", Impact::Breaking), "0.2.0");
        assert_eq!(needed("0.1.7", Impact::Breaking), "0.2.0");
        assert_eq!(needed("0.1.0", Impact::Additive), "0.1.1");
        assert_eq!(needed("0.1.7", Impact::Docs), "0.1.8");
        assert_eq!(needed("0.1.7", Impact::None), "0.1.7");
    }

    #[test]
    fn from_one_on_breaking_is_major_additive_minor_docs_patch() {
        assert_eq!(needed("1.2.3", Impact::Breaking), "2.0.0");
        assert_eq!(needed("1.2.3", Impact::Additive), "1.3.0");
        assert_eq!(needed("1.2.3", Impact::Docs), "1.2.4");
        assert_eq!(needed("1.2.3", Impact::None), "1.2.3");
        assert_eq!(needed("2.0.0", Impact::Breaking), "3.0.0");
    }

    #[test]
    fn every_zero_zero_release_is_its_own_line() {
        assert_eq!(needed("0.0.3", Impact::Breaking), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::Additive), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::Docs), "0.0.4");
        assert_eq!(needed("0.0.3", Impact::None), "0.0.3");
    }

    #[test]
    fn a_version_satisfies_a_need_by_precedence() {
        assert!(v("0.2.0") >= v("0.2.0"));
        assert!(v("0.3.0") >= v("0.2.0"));
        assert!(v("0.1.9") < v("0.2.0"));
        assert!(v("1.9.9") < v("2.0.0"));
        assert!(v("2.0.0-rc.1") < v("2.0.0"));
        assert!(v("2.0.0-alpha.2") < v("2.0.0-alpha.10"));
        assert!(v("2.0.0-alpha.2") < v("2.0.0-beta"));
        assert_eq!(v("1.0.0+build.5").cmp(&v("1.0.0")), Ordering::Equal);
    }

    #[test]
    fn parsing_refuses_what_cargo_refuses() {
        for bad in ["1.2", "1.2.3.4", "01.2.3", "1.x.3", "", "1.2.3-"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(v("1.2.3-alpha.1+b7").to_string(), "1.2.3-alpha.1+b7");
        assert!(v("1.0.0-rc.1").needed(Impact::Breaking).is_err());
    }
}
