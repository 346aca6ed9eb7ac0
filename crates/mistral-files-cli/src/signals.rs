//! The signals that stop a command: SIGINT (Ctrl-C), SIGTERM (what `timeout`, Docker, systemd
//! and CI runners send) and SIGHUP (the terminal went away). Each stops a transfer cleanly: the
//! command's future is dropped, so temporary files are removed, or kept for resuming (a
//! download's partial copy, which the next run continues); the exit code is 128 + the signal's
//! number, as shells report it (130, 143, 129). `serve` shuts down gracefully on each.

use std::fmt;

/// A signal asking the command to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (2): Ctrl-C.
    Interrupt,
    /// SIGTERM (15).
    Terminate,
    /// SIGHUP (1).
    Hangup,
}

impl StopSignal {
    /// The signal's number.
    fn number(self) -> i32 {
        match self {
            StopSignal::Hangup => 1,
            StopSignal::Interrupt => 2,
            StopSignal::Terminate => 15,
        }
    }

    /// The exit code after this signal: 128 + its number (129, 130, 143).
    pub fn exit_code(self) -> i32 {
        128 + self.number()
    }
}

impl fmt::Display for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::Hangup => "SIGHUP",
        })
    }
}

/// SIGINT, SIGTERM and SIGHUP, caught from the moment this is made (from then on, they do not
/// end the process on the spot, their default action).
pub struct StopSignals {
    #[cfg(unix)]
    streams: [(StopSignal, tokio::signal::unix::Signal); 3],
}

impl StopSignals {
    /// Starts catching the three signals. Needs a Tokio runtime.
    pub fn install() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignals {
                streams: [
                    (StopSignal::Interrupt, signal(SignalKind::interrupt())?),
                    (StopSignal::Terminate, signal(SignalKind::terminate())?),
                    (StopSignal::Hangup, signal(SignalKind::hangup())?),
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// The next stop signal.
    pub async fn recv(&mut self) -> StopSignal {
        #[cfg(unix)]
        {
            let [(a, sa), (b, sb), (c, sc)] = &mut self.streams;
            tokio::select! {
                _ = sa.recv() => *a,
                _ = sb.recv() => *b,
                _ = sc.recv() => *c,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            StopSignal::Interrupt
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_128_plus_the_signal() {
        assert_eq!(StopSignal::Interrupt.exit_code(), 130);
        assert_eq!(StopSignal::Terminate.exit_code(), 143);
        assert_eq!(StopSignal::Hangup.exit_code(), 129);
        assert_eq!(StopSignal::Terminate.to_string(), "SIGTERM");
    }
}
