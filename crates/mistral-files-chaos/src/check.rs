//! The end state against the reports: every upload reported done exists exactly once with the
//! same bytes; no file exists that the client reported as failed; every download reported
//! successful was byte-identical; every delete reported is gone.

use std::collections::BTreeMap;
use std::fmt;

use futures_util::TryStreamExt;
use mistral_files::{Client, FileObject};

use crate::ops::{Outcomes, Reported};

/// What the check found. A run passes when every count is zero ([`Verdict::passed`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Uploads reported done whose file is missing (and was not deleted).
    pub lost: Vec<String>,
    /// Names stored more than once, or stored under another id than the one reported.
    pub duplicated: Vec<String>,
    /// Files whose stored bytes differ from the upload's, and downloads reported successful
    /// with other bytes.
    pub corrupted: Vec<String>,
    /// Uploads reported failed whose file exists.
    pub failed_but_stored: Vec<String>,
    /// Files reported deleted that still exist.
    pub deleted_but_present: Vec<String>,
}

impl Verdict {
    /// Whether nothing was lost, duplicated, corrupted, stored after a failure or kept after a
    /// delete.
    pub fn passed(&self) -> bool {
        self.lost.is_empty()
            && self.duplicated.is_empty()
            && self.corrupted.is_empty()
            && self.failed_but_stored.is_empty()
            && self.deleted_but_present.is_empty()
    }
}

impl fmt::Display for Verdict {
    /// Two lines: the reported failures that came true or not, then
    /// `N lost, N duplicated, N corrupted`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} stored after a reported failure, {} present after a reported delete",
            self.failed_but_stored.len(),
            self.deleted_but_present.len()
        )?;
        write!(
            f,
            "{} lost, {} duplicated, {} corrupted",
            self.lost.len(),
            self.duplicated.len(),
            self.corrupted.len()
        )
    }
}

/// Checks what the service holds (listed and downloaded through `client`, faults off) against
/// `outcomes`.
pub async fn check(client: &Client, outcomes: &Outcomes) -> anyhow::Result<Verdict> {
    let stored: Vec<FileObject> = client.list().stream().try_collect().await?;
    let mut by_name: BTreeMap<&str, Vec<&FileObject>> = BTreeMap::new();
    for f in &stored {
        by_name.entry(f.filename.as_str()).or_default().push(f);
    }
    let mut v = Verdict {
        corrupted: outcomes.downloads_corrupted.clone(),
        ..Verdict::default()
    };
    for u in &outcomes.uploads {
        let held = by_name.get(u.name.as_str()).map_or(&[][..], Vec::as_slice);
        if held.len() > 1 {
            v.duplicated.push(u.name.clone());
        }
        match &u.reported {
            Reported::Failed if !held.is_empty() => v.failed_but_stored.push(u.name.clone()),
            Reported::Done(id)
                if outcomes.deleted.contains(id) && held.iter().any(|f| f.id == *id) =>
            {
                v.deleted_but_present.push(u.name.clone());
            }
            Reported::Done(id) if outcomes.deleted.contains(id) => {}
            Reported::Done(id) if !outcomes.delete_failed.contains(id) => {
                match held.iter().find(|f| f.id == *id) {
                    None if held.is_empty() => v.lost.push(u.name.clone()),
                    // stored, but not under the id the client reported
                    None => v.duplicated.push(u.name.clone()),
                    Some(_) => {
                        let chunks: Vec<_> = client.download(*id).await?.try_collect().await?;
                        if chunks.concat() != u.content {
                            v.corrupted.push(u.name.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    v.duplicated.dedup();
    Ok(v)
}
