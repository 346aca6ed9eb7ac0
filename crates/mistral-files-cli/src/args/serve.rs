//! The arguments of the commands that do not call the API: serve, demo, completions, man.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use mistral_files_emulator::FailSpec;

use super::{JsonOutput, ListOutput};

/// `serve [--addr ADDR] [--data DIR] [--api-key KEY | --api-key-file PATH] [faults]`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the URL is printed). Loopback keeps it on
    /// this machine; any other address (0.0.0.0: all interfaces) is reachable from the network
    /// and needs a key of your own.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Keep files in this directory across restarts (default: a temporary one, removed on exit).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The key clients must send [env: MISTRAL_API_KEY] (default: test-key, refused off
    /// loopback). Prefer the variable or --api-key-file: command lines are visible to other
    /// users.
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Read the key clients must send from this file (one line), keeping it out of the process
    /// list.
    #[arg(long, value_name = "PATH", conflicts_with = "api_key")]
    pub api_key_file: Option<PathBuf>,
    /// Serve the default key test-key on an address reachable from the network anyway: anyone who
    /// can reach it can read, upload and delete files (warned about at every start).
    #[arg(long)]
    pub insecure_default_key: bool,
    /// Accept requests without any API key (warned about at every start off loopback).
    #[arg(long)]
    pub no_auth: bool,
    /// Base of the signed URLs handed out (default: the listening address).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Do not check uploads against their purpose's formats.
    #[arg(long)]
    pub no_format_check: bool,
    /// On SIGTERM, SIGINT or SIGHUP: how long requests in flight may take to finish before
    /// they are ended (an unfinished upload leaves nothing behind).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub grace_period: u64,
    /// Limit each API key to N requests per second (N/s, or plain N), as the service does: a
    /// burst of N/10 (at least 1), then 429 with Retry-After; signed-URL downloads are not
    /// limited (default: no limit).
    #[arg(long, value_name = "N/s", value_parser = parse_rate_limit)]
    pub rate_limit: Option<u32>,
    /// Fault: latency added before every response, in milliseconds.
    #[arg(long, value_name = "MS", help_heading = "Fault injection")]
    pub latency_ms: Option<u64>,
    /// Fault: answer the next N API requests with STATUS (and a Retry-After of SECS); repeatable.
    #[arg(long, value_name = "N:STATUS[:SECS]", help_heading = "Fault injection")]
    pub fail_next: Vec<FailSpec>,
    /// Fault: cut the first download after BYTES bytes of body.
    #[arg(long, value_name = "BYTES", help_heading = "Fault injection")]
    pub cut_download_after: Option<u64>,
    /// Fault: stall the first download after BYTES bytes, for SECS seconds.
    #[arg(long, value_name = "BYTES:SECS", value_parser = parse_stall, help_heading = "Fault injection")]
    pub stall_download_after: Option<(u64, u64)>,
    /// Fault: pace every download to about this many bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC", help_heading = "Fault injection")]
    pub throttle_download: Option<u64>,
    /// Output options.
    #[command(flatten)]
    pub out: JsonOutput,
}

/// Parses a request rate: `N/s` or `N`, N a whole number from 1.
fn parse_rate_limit(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let n = t.strip_suffix("/s").unwrap_or(t).trim();
    match n.parse::<u32>() {
        Ok(0) => Err("the rate must be at least 1/s (leave the option out for no limit)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "expected requests per second as N/s or N, N a whole number from 1 (e.g. 20/s), got {s:?}"
        )),
    }
}

/// Parses `BYTES:SECS`.
fn parse_stall(s: &str) -> Result<(u64, u64), String> {
    let err = || format!("expected BYTES:SECS (e.g. 1024:5), got {s:?}");
    let (b, secs) = s.split_once(':').ok_or_else(err)?;
    Ok((
        b.trim().parse().map_err(|_| err())?,
        secs.trim().parse().map_err(|_| err())?,
    ))
}

/// `demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's emulator running at the end (until Ctrl-C), to explore it by hand.
    #[arg(long)]
    pub keep: bool,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}

/// `completions SHELL`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `man [--dir DIR]`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `mistral-files.1` and one page per command (`mistral-files-ls.1`, …) into DIR
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_parses() {
        assert_eq!(parse_rate_limit("20/s"), Ok(20));
        assert_eq!(parse_rate_limit("20"), Ok(20));
        assert_eq!(parse_rate_limit(" 5 /s "), Ok(5));
        for bad in [
            "0",
            "0/s",
            "-1",
            "20/m",
            "1.5/s",
            "/s",
            "",
            "s",
            "99999999999",
        ] {
            assert!(parse_rate_limit(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stall_parses() {
        assert_eq!(parse_stall("10:2"), Ok((10, 2)));
        assert!(parse_stall("10").is_err());
    }
}
