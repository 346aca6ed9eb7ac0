//! The `build-cost` section of `docs/BENCHMARKS.md`: rendering the figures, and the marker that
//! lets `cargo xtask build-cost` replace the section and `cargo xtask bench` keep it.

use super::apps::{Lib, Tls};

/// The first line of the section; everything from it to the end of the file is the section.
pub const MARKER: &str =
    "<!-- build-cost: written by `cargo xtask build-cost`; `cargo xtask bench` keeps this section -->";

/// One cold build of a list app.
#[derive(Debug, Clone)]
pub struct Build {
    /// What the app is written on.
    pub lib: Lib,
    /// Its TLS provider.
    pub tls: Tls,
    /// Wall time of each cold `cargo build`, seconds.
    pub secs: Vec<f64>,
    /// Crates compiled (`Compiling` lines), from the first run.
    pub crates: usize,
}

/// The transfer program's figures for one provider.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// The provider on both ends.
    pub tls: Tls,
    /// Cold release build of the transfer program, seconds.
    pub build_secs: f64,
    /// Median seconds to download the payload.
    pub secs: f64,
    /// Payload size, MiB.
    pub mib: u64,
}

/// Everything the section shows.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// The list apps' builds.
    pub builds: Vec<Build>,
    /// The transfer figures (empty with `--no-transfer`).
    pub transfers: Vec<Transfer>,
    /// Runs per figure, transfer runs, and `(name, value)` lines about the machine.
    pub runs: usize,
    /// Downloads per transfer figure.
    pub transfer_runs: usize,
    /// The machine.
    pub machine: Vec<(String, String)>,
    /// A fresh clone's cold demo and test commands (`None` with `--no-clone`).
    pub clone: Option<super::clone::CloneFigures>,
}

/// The median of `xs` (not empty).
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl Figures {
    fn build(&self, lib: Lib, tls: Tls) -> Option<&Build> {
        self.builds.iter().find(|b| b.lib == lib && b.tls == tls)
    }

    /// `mistral-files` over plain, same provider.
    pub fn ratio(&self, tls: Tls) -> Option<f64> {
        let ours = median(&self.build(Lib::MistralFiles, tls)?.secs);
        let plain = median(&self.build(Lib::Plain, tls)?.secs);
        Some(ours / plain)
    }

    /// The section, from [`MARKER`] on.
    pub fn render(&self) -> String {
        let mut s = format!("{MARKER}\n## Build cost and TLS provider (issue 10)\n\n");
        s.push_str(INTRO);
        s.push_str(&format!(
            "\nEach build figure is the median of {} cold build(s).\n\n",
            self.runs
        ));
        for (k, v) in &self.machine {
            s.push_str(&format!("- {k}: {v}\n"));
        }
        s.push_str("\n### A dependent's first debug build\n\n");
        s.push_str("| app | TLS provider | crates compiled | cold build | vs plain, same TLS |\n");
        s.push_str("|---|---|---|---|---|\n");
        for tls in Tls::ALL {
            for lib in [Lib::Plain, Lib::MistralFiles] {
                let Some(b) = self.build(lib, tls) else {
                    continue;
                };
                let ratio = match lib {
                    Lib::Plain => "1.00x".to_string(),
                    Lib::MistralFiles => {
                        self.ratio(tls).map_or("n/a".into(), |r| format!("{r:.2}x"))
                    }
                };
                s.push_str(&format!(
                    "| {} | {} | {} | {:.1} s | {ratio} |\n",
                    lib.name(),
                    tls.name(),
                    b.crates,
                    median(&b.secs)
                ));
            }
        }
        s.push_str("\nGoal: an app on `mistral-files` builds cold in at most 1.10x the time of the same app on reqwest, tokio and serde_json with the same TLS.\n\n");
        for tls in Tls::ALL {
            if let Some(r) = self.ratio(tls) {
                let met = if r <= 1.10 { "met" } else { "**not met**" };
                s.push_str(&format!("- {}: {r:.2}x, {met}\n", tls.name()));
            }
        }
        s.push_str(&self.render_transfers());
        if let Some(c) = &self.clone {
            s.push_str(&super::clone::render(c));
        }
        s
    }

    fn render_transfers(&self) -> String {
        if self.transfers.is_empty() {
            return "\nThe TLS transfer figures were not measured in this run (`--no-transfer`).\n"
                .into();
        }
        let mut s = String::from("\n### TLS transfer speed\n\n");
        s.push_str(TRANSFER_INTRO);
        s.push_str(&format!(
            "\n| provider | cold release build of the program | {} MiB download, median of {} | throughput |\n|---|---|---|---|\n",
            self.transfers[0].mib, self.transfer_runs
        ));
        for t in &self.transfers {
            s.push_str(&format!(
                "| {} | {:.1} s | {:.3} s | {:.0} MiB/s |\n",
                t.tls.name(),
                t.build_secs,
                t.secs,
                t.mib as f64 / t.secs
            ));
        }
        s.push_str(&self.render_pick());
        s
    }

    /// The provider these figures choose: the one whose plain app builds faster cold, unless its
    /// transfer is more than 10% slower than the other's (then the other).
    pub fn pick(&self) -> Option<Tls> {
        let build = |tls| self.build(Lib::Plain, tls).map(|b| median(&b.secs));
        let speed = |tls| {
            self.transfers
                .iter()
                .find(|t| t.tls == tls)
                .map(|t| t.mib as f64 / t.secs)
        };
        let (a, b) = (Tls::AwsLc, Tls::Ring);
        let (faster, other) = if build(b)? < build(a)? {
            (b, a)
        } else {
            (a, b)
        };
        Some(if speed(faster)? < 0.9 * speed(other)? {
            other
        } else {
            faster
        })
    }

    fn render_pick(&self) -> String {
        let Some(pick) = self.pick() else {
            return String::new();
        };
        format!(
            "\n### The default provider\n\nThe rule: the provider whose app builds faster cold is the default, unless its \
TLS transfer is more than 10% slower than the other's. By these figures: **{}**. `mistral-files` \
defaults to `rustls-ring` (ring); `rustls-aws-lc` (with `default-features = false`) is the other.\n",
            pick.name()
        )
    }
}

const INTRO: &str = "Reproduce with `cargo xtask build-cost` (`--runs 3` for medians of three; \
`--no-transfer` skips the TLS transfer). Each app is a fresh project under `target/build-cost/` \
with its own target directory, built cold with `cargo build` (debug, as a user's first build; \
`CARGO_INCREMENTAL=0`, no `RUSTC_WRAPPER`), from the workspace's `Cargo.lock` so that both sides \
build the same versions, with every crate already downloaded. The app lists the files of \
`MISTRAL_BASE_URL` and prints them: on `mistral-files` (`Client::from_env()?.list().send()`), or \
the same program on reqwest + tokio + serde (derive) + serde_json (\"plain\"). Builds run one \
after the other on the same machine, which other builds may share: compare the ratios more than \
the seconds.\n";

const TRANSFER_INTRO: &str = "One program per provider, built in release: a rustls server \
(tokio-rustls) on loopback sends zeros to a reqwest client over TLS 1.3 (HTTP/1.1), both ends \
on the same provider, with a throwaway self-signed certificate made by `openssl` for the run. \
Both ends share the machine's cores, so the figure is the provider's cost on both sides.\n";

/// `existing` (the whole `docs/BENCHMARKS.md`, if any) with its build-cost section replaced by
/// `section` (or `section` appended).
pub fn splice(existing: Option<&str>, section: &str) -> String {
    let before = match existing {
        Some(text) => match text.find(MARKER) {
            Some(at) => text[..at].trim_end().to_string(),
            None => text.trim_end().to_string(),
        },
        None => "# Benchmarks".to_string(),
    };
    format!("{before}\n\n{}\n", section.trim_end())
}

/// `new` (a freshly rendered `BENCHMARKS.md` without the section) followed by the build-cost
/// section of `existing`, if it has one: what `cargo xtask bench` writes.
pub fn keep_section(existing: Option<&str>, new: &str) -> String {
    match existing.and_then(|text| text.find(MARKER).map(|at| &text[at..])) {
        Some(section) => splice(Some(new), section),
        None => new.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cold build of `lib` with `tls` that took `secs`.
    fn build(lib: Lib, tls: Tls, secs: f64) -> Build {
        Build {
            lib,
            tls,
            secs: vec![secs],
            crates: 100,
        }
    }

    #[test]
    fn the_section_is_replaced_and_kept() {
        let doc = splice(
            Some("# Benchmarks\n\nfigures\n"),
            &format!("{MARKER}\nold\n"),
        );
        assert!(
            doc.ends_with(&format!("figures\n\n{MARKER}\nold\n")),
            "{doc}"
        );
        let doc = splice(Some(&doc), &format!("{MARKER}\nnew\n"));
        assert!(!doc.contains("old") && doc.contains("new"), "{doc}");
        let rewritten = keep_section(Some(&doc), "# Benchmarks\n\nnew figures\n");
        assert!(rewritten.contains("new figures") && rewritten.contains(MARKER));
        assert_eq!(keep_section(None, "x\n"), "x\n");
    }

    #[test]
    fn ratios_and_goal() {
        let f = Figures {
            builds: vec![
                build(Lib::Plain, Tls::AwsLc, 100.0),
                build(Lib::MistralFiles, Tls::AwsLc, 105.0),
                build(Lib::Plain, Tls::Ring, 50.0),
                build(Lib::MistralFiles, Tls::Ring, 60.0),
            ],
            runs: 1,
            ..Figures::default()
        };
        let text = f.render();
        assert!(text.contains("- aws-lc-rs: 1.05x, met"), "{text}");
        assert!(text.contains("- ring: 1.20x, **not met**"), "{text}");
    }

    #[test]
    fn the_faster_build_is_picked_unless_its_transfer_is_much_slower() {
        let t = |tls, secs| Transfer {
            tls,
            build_secs: 60.0,
            secs,
            mib: 256,
        };
        let mut f = Figures {
            builds: vec![
                build(Lib::Plain, Tls::AwsLc, 56.0),
                build(Lib::Plain, Tls::Ring, 37.0),
            ],
            transfers: vec![t(Tls::AwsLc, 0.183), t(Tls::Ring, 0.190)],
            runs: 1,
            transfer_runs: 5,
            ..Figures::default()
        };
        assert_eq!(f.pick(), Some(Tls::Ring));
        assert!(f.render().contains("By these figures: **ring**."));
        // ring over 10% slower on the wire: aws-lc-rs despite its longer build
        f.transfers[1].secs = 0.21;
        assert_eq!(f.pick(), Some(Tls::AwsLc));
        // no transfer figures: no pick, no paragraph
        f.transfers.clear();
        assert_eq!(f.pick(), None);
        assert!(!f.render().contains("By these figures"));
    }
}
