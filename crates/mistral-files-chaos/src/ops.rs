//! The operations of a run and what the client reported for each: [`drive`] makes them,
//! [`Outcomes`] keeps the reports for the check.

use std::collections::BTreeMap;
use std::path::Path;

use futures_util::TryStreamExt;
use mistral_files::{Client, Error, FileId, FileObject, FilePurpose};

use crate::Config;

/// What the client reported for one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reported {
    /// Done: the file's id.
    Done(FileId),
    /// Failed with an error that says nothing was stored.
    Failed,
    /// `Error::UploadOutcomeUnknown`: stored or not, the client could not tell.
    Unknown,
}

/// One upload of the run.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name it was sent under (unique in the run).
    pub name: String,
    /// The bytes sent.
    pub content: Vec<u8>,
    /// What the client reported.
    pub reported: Reported,
}

/// Everything the client reported during a run.
#[derive(Debug, Default)]
pub struct Outcomes {
    /// Every upload, in order.
    pub uploads: Vec<Upload>,
    /// Downloads reported successful.
    pub downloads_ok: usize,
    /// Downloads that reported success with other bytes than were uploaded (file names).
    pub downloads_corrupted: Vec<String>,
    /// Deletes reported done.
    pub deleted: Vec<FileId>,
    /// Deletes that failed: the file may or may not be gone.
    pub delete_failed: Vec<FileId>,
    /// Listings reported successful.
    pub listings_ok: usize,
    /// Failed operations by kind of operation and of error (`upload: Transport`, `delete: Api 404`).
    pub errors: BTreeMap<String, usize>,
}

impl Outcomes {
    /// The files the run still expects: reported uploaded, and not deleted (nor perhaps deleted).
    pub fn live(&self) -> Vec<(&Upload, FileId)> {
        self.uploads
            .iter()
            .filter_map(|u| match &u.reported {
                Reported::Done(id) => Some((u, *id)),
                _ => None,
            })
            .filter(|(_, id)| !self.deleted.contains(id) && !self.delete_failed.contains(id))
            .collect()
    }

    fn error(&mut self, op: &str, e: &Error) {
        let kind = format!("{e:?}");
        let kind = kind.split([' ', '(', '{']).next().unwrap_or("?");
        let key = match e.status() {
            Some(status) => format!("{op}: {kind} {}", status.as_u16()),
            None => format!("{op}: {kind}"),
        };
        *self.errors.entry(key).or_default() += 1;
    }
}

/// Makes `config.ops` operations, one at a time, chosen by a generator seeded from the run's
/// seed; `scratch` holds the files uploaded from a path.
pub async fn drive(client: &Client, config: &Config, scratch: &Path) -> Outcomes {
    let mut rng = fastrand::Rng::with_seed(config.seed ^ 0x5eed_c4a0_5000_0001);
    let mut out = Outcomes::default();
    for i in 0..config.ops {
        let live = out.live().len();
        let roll = rng.u32(..100);
        if live == 0 || roll < 40 {
            upload(client, &mut rng, &mut out, config.seed, i, scratch).await;
        } else if roll < 65 {
            download(client, &mut rng, &mut out).await;
        } else if roll < 80 {
            match client
                .list()
                .stream()
                .try_collect::<Vec<FileObject>>()
                .await
            {
                Ok(_) => out.listings_ok += 1,
                Err(e) => out.error("list", &e),
            }
        } else {
            delete(client, &mut rng, &mut out).await;
        }
    }
    out
}

/// JSONL content of 1 to 8 KiB (more than a cut download's first 1024 bytes, mostly).
fn content(rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut text = String::new();
    let target = rng.usize(1024..8192);
    while text.len() < target {
        text.push_str(&format!(
            "{{\"n\":{},\"s\":\"{}\"}}\n",
            rng.u64(..),
            rng.alphanumeric()
        ));
    }
    text.into_bytes()
}

async fn upload(
    client: &Client,
    rng: &mut fastrand::Rng,
    out: &mut Outcomes,
    seed: u64,
    i: usize,
    scratch: &Path,
) {
    let name = format!("chaos-{seed}-{i}.jsonl");
    let data = content(rng);
    let purpose = if rng.bool() {
        FilePurpose::Batch
    } else {
        FilePurpose::FineTune
    };
    let request = match rng.u32(..3) {
        0 => client.upload_bytes(name.clone(), data.clone()),
        1 => {
            let path = scratch.join(&name);
            if let Err(e) = std::fs::write(&path, &data) {
                panic!("writing {}: {e}", path.display());
            }
            client.upload_path(path)
        }
        _ => client.upload_reader(
            name.clone(),
            std::io::Cursor::new(data.clone()),
            data.len() as u64,
        ),
    };
    let reported = match request.purpose(purpose).await {
        Ok(f) => Reported::Done(f.id),
        Err(e @ Error::UploadOutcomeUnknown { .. }) => {
            out.error("upload", &e);
            Reported::Unknown
        }
        Err(e) => {
            out.error("upload", &e);
            Reported::Failed
        }
    };
    out.uploads.push(Upload {
        name,
        content: data,
        reported,
    });
}

async fn download(client: &Client, rng: &mut fastrand::Rng, out: &mut Outcomes) {
    let live = out.live();
    let (upload, id) = live[rng.usize(..live.len())];
    let (name, expected) = (upload.name.clone(), upload.content.clone());
    let got = async {
        let chunks: Vec<_> = client.download(id).await?.try_collect().await?;
        Ok::<_, Error>(chunks.concat())
    }
    .await;
    match got {
        Ok(bytes) if bytes == expected => out.downloads_ok += 1,
        Ok(_) => {
            out.downloads_ok += 1;
            out.downloads_corrupted.push(name);
        }
        Err(e) => out.error("download", &e),
    }
}

async fn delete(client: &Client, rng: &mut fastrand::Rng, out: &mut Outcomes) {
    let live = out.live();
    let id = live[rng.usize(..live.len())].1;
    match client.delete(id).await {
        Ok(_) => out.deleted.push(id),
        Err(e) => {
            out.error("delete", &e);
            out.delete_failed.push(id);
        }
    }
}
