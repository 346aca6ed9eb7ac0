//! Progress bars on stderr, and the one way to write a line on stderr while bars may be drawn.
//!
//! Bars are drawn only when both stdout and stderr are terminals and the output is for people:
//! piped or redirected output (a log file, `| tee`, `--json`) never gets escape sequences. Each
//! line is laid out for the terminal's width when the bars start, the file name shortened with
//! `…`, so that a bar never wraps (a wrapped bar is redrawn as a new line at every tick).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use mistral_files::Progress;

use crate::format::{display_name, truncate};
use crate::mode::Mode;

/// The bars being drawn, if any: lines written to stderr meanwhile go above them.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Writes a line on stderr, above any progress bars being drawn (so that neither is garbled).
pub fn eprint_line(text: &str) {
    suspended(|| eprintln!("{text}"));
}

/// Runs `f` (which writes to the terminal) with the bars being drawn, if any, cleared meanwhile.
pub fn suspended<R>(f: impl FnOnce() -> R) -> R {
    let active = ACTIVE.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match active {
        Some(m) => m.suspend(f),
        None => f(),
    }
}

/// Whether bars should be drawn for output in `mode`.
pub fn enabled(mode: Mode) -> bool {
    !mode.is_json() && std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

/// The fixed parts after a bar: ` 1023.99 MiB/1023.99 MiB  1023.99 MiB/s  12s`.
const COUNTERS: &str = "{bytes:>11!}/{total_bytes:<11!} {binary_bytes_per_sec:>13!} {eta:>4!}";
/// Their width: 11 + 1 + 11 + 1 + 13 + 1 + 4.
const COUNTERS_W: usize = 42;

/// Byte-progress bars on stderr (none at all when disabled).
pub struct Bars {
    multi: Option<MultiProgress>,
    /// Width of the label column and of the bar itself, from the terminal's width.
    label_w: usize,
    style: Option<ProgressStyle>,
}

impl Bars {
    /// Bars if `enabled`, laid out for the terminal's width (80 when unknown).
    pub fn new(enabled: bool) -> Self {
        let cols = console::Term::stderr()
            .size_checked()
            .map_or(80, |(_, c)| usize::from(c));
        let layout = enabled.then(|| layout(cols)).flatten();
        let multi = layout.as_ref().map(|_| {
            let m = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            *ACTIVE.lock().unwrap_or_else(|p| p.into_inner()) = Some(m.clone());
            m
        });
        let (label_w, style) = match layout {
            Some((w, s)) => (w, Some(s)),
            None => (0, None),
        };
        Bars {
            multi,
            label_w,
            style,
        }
    }

    /// A new byte-progress bar labelled `label` (shortened to fit), with `total` bytes if known.
    pub fn bar(&self, label: &str, total: Option<u64>) -> Option<ProgressBar> {
        let (multi, style) = (self.multi.as_ref()?, self.style.as_ref()?);
        let pb = multi.add(ProgressBar::new(total.unwrap_or(0)));
        pb.set_style(style.clone());
        let label = truncate(&display_name(label), self.label_w);
        let pad = self
            .label_w
            .saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()));
        pb.set_prefix(format!("{label}{}", " ".repeat(pad)));
        Some(pb)
    }

    /// The total bar of a multi-file transfer, and a feeder for each file's bar to add to it.
    pub fn total(&self, files: usize, bytes: Option<u64>) -> Option<Total> {
        if files < 2 {
            return None;
        }
        let bar = self.bar(&format!("total ({files} files)"), bytes)?;
        Some(Total { bar })
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        if let Some(m) = self.multi.take() {
            let _ = m.clear();
            *ACTIVE.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
}

/// The label width and style of a bar line that fits in `cols - 1` columns (the last column
/// left free: some terminals wrap when it is written), or `None` when the terminal is too narrow.
fn layout(cols: usize) -> Option<(usize, ProgressStyle)> {
    // what is left for the label and the bar: the free last column, " [", "] ", the counters
    let room = cols.checked_sub(1 + 4 + COUNTERS_W)?;
    let (label_w, template) = if room >= 16 {
        let label_w = (room / 2).clamp(8, 32);
        let bar_w = room - label_w;
        (label_w, format!("{{prefix}} [{{bar:{bar_w}}}] {COUNTERS}"))
    } else {
        // no room for the bar and the rate: label and counts only
        let label_w = cols.checked_sub(1 + 1 + 23)?.min(32);
        (
            label_w,
            "{prefix} {bytes:>11!}/{total_bytes:<11!}".to_string(),
        )
    };
    if label_w < 4 {
        return None;
    }
    let style = ProgressStyle::with_template(&template)
        .ok()?
        .progress_chars("=> ");
    Some((label_w, style))
}

/// The total bar of a multi-file transfer.
#[derive(Clone)]
pub struct Total {
    bar: ProgressBar,
}

impl Total {
    /// Moves the total bar to `bytes` (a sum the library keeps, as for a bulk download).
    pub fn set(&self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    /// Clears the total bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A progress callback updating a file's `bar` and, by the same amount, the `total` bar.
pub fn feed(
    bar: Option<ProgressBar>,
    total: Option<Total>,
) -> Option<impl Fn(Progress) + Send + Sync + 'static> {
    if bar.is_none() && total.is_none() {
        return None;
    }
    let last = Arc::new(AtomicU64::new(0));
    Some(move |p: Progress| {
        if let Some(b) = &bar {
            if let Some(t) = p.total {
                b.set_length(t);
            }
            b.set_position(p.bytes_done);
        }
        if let Some(t) = &total {
            let before = last.swap(p.bytes_done, Ordering::Relaxed);
            // a restarted transfer goes back to 0: count only what is new
            t.bar.inc(p.bytes_done.saturating_sub(before));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_fit_the_terminal() {
        let (label, _) = layout(80).expect("80 columns");
        assert!(label >= 8, "{label}");
        // label + " [" + bar + "] " + counters stays under 80
        let room = 80 - 1 - 4 - COUNTERS_W;
        assert_eq!(room, 33);
        assert!(layout(60).is_some());
        assert!(layout(20).is_none());
    }
}
