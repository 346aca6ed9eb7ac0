//! The command line, as clap derive types.
//!
//! Options are grouped by what they apply to, so that each command's `--help` lists only its own:
//! `ClientArgs` (key, base URL, retries) only on the commands that call the API, `ListOutput` /
//! `JsonOutput` only where there is a result to print, `-v` everywhere (the one global option).
//! The environment (`MISTRAL_API_KEY`, `MISTRAL_BASE_URL`) is read after parsing rather than
//! through clap's `env`, because clap shows env-filled options in usage lines as if they were
//! required arguments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use mistral_files::{FileId, FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_emulator::FailSpec;

use crate::examples;
use crate::mode::Mode;

/// Upload, list, download and delete files of the Mistral AI Files API; run a local emulator.
#[derive(Debug, Parser)]
#[command(name = "mistral-files", version, after_help = examples::MAIN)]
pub struct Cli {
    /// The option every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The one option shared by every command (accepted before or after the command name).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More on stderr: -v each request (method, path, status, time), -vv the library's debug log,
    /// -vvv the HTTP stack.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
}

/// How the API commands reach the API.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Client options")]
pub struct ClientArgs {
    /// API base URL: scheme, host, optional port and path prefix, without /v1
    /// [env: MISTRAL_BASE_URL] [default: https://api.mistral.ai]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// API key [env: MISTRAL_API_KEY]; prefer the variable: command lines are visible to other
    /// users.
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// How many times to retry a failed request that can safely be retried.
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
}

/// Output options of a command with one result.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output options")]
pub struct JsonOutput {
    /// Print the result as one JSON document on stdout; errors go to stderr as {"error": …}.
    #[arg(long)]
    pub json: bool,
}

/// Output options of a command with a list of results.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output options")]
pub struct ListOutput {
    /// Print all results as one JSON array on stdout; errors go to stderr as {"error": …}.
    #[arg(long, conflicts_with = "jsonl")]
    pub json: bool,
    /// Print one JSON object per line as results arrive (for large listings).
    #[arg(long)]
    pub jsonl: bool,
}

impl JsonOutput {
    /// The output mode chosen.
    pub fn mode(&self) -> Mode {
        if self.json {
            Mode::Json
        } else {
            Mode::Human
        }
    }
}

impl ListOutput {
    /// The output mode chosen.
    pub fn mode(&self) -> Mode {
        match (self.json, self.jsonl) {
            (true, _) => Mode::Json,
            (_, true) => Mode::Jsonl,
            _ => Mode::Human,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload one or more files.
    #[command(after_help = examples::UPLOAD)]
    Upload(UploadArgs),
    /// List files (pages through all of them, lazily).
    #[command(visible_alias = "list", after_help = examples::LS)]
    Ls(LsArgs),
    /// Show one file's metadata.
    #[command(after_help = examples::GET)]
    Get(GetArgs),
    /// Delete files.
    #[command(visible_alias = "delete", after_help = examples::RM)]
    Rm(RmArgs),
    /// Get a signed URL for a file's content (usable without the API key).
    #[command(after_help = examples::URL)]
    Url(UrlArgs),
    /// Download files by id, or a signed URL's content.
    #[command(after_help = examples::DOWNLOAD)]
    Download(DownloadArgs),
    /// Run the local Files API emulator until Ctrl-C.
    #[command(after_help = examples::SERVE)]
    Serve(ServeArgs),
    /// Start an emulator in-process and run the whole flow against it (no key, no network needed).
    #[command(after_help = examples::DEMO)]
    Demo(DemoArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(after_help = examples::MAN)]
    Man(ManArgs),
}

impl Command {
    /// The output mode the command's options ask for (human for commands without any).
    pub fn mode(&self) -> Mode {
        match self {
            Command::Upload(a) => a.out.mode(),
            Command::Ls(a) => a.out.mode(),
            Command::Get(a) => a.out.mode(),
            Command::Rm(a) => a.out.mode(),
            Command::Url(a) => a.out.mode(),
            Command::Download(a) => a.out.mode(),
            Command::Serve(a) => a.out.mode(),
            Command::Demo(a) => a.out.mode(),
            Command::Completions(_) | Command::Man(_) => Mode::Human,
        }
    }

    /// The client options, for the commands that call the API.
    pub fn client_args(&self) -> Option<&ClientArgs> {
        match self {
            Command::Upload(a) => Some(&a.client),
            Command::Ls(a) => Some(&a.client),
            Command::Get(a) => Some(&a.client),
            Command::Rm(a) => Some(&a.client),
            Command::Url(a) => Some(&a.client),
            Command::Download(a) => Some(&a.client),
            _ => None,
        }
    }
}

/// The API's open enums as the command line accepts them: exactly the values the spec lists
/// (`KNOWN`, generated from the spec), so a value added upstream is accepted once the spec is
/// regenerated, with no list kept here.
pub trait WireEnum: for<'a> From<&'a str> + Clone + Send + Sync + 'static {
    /// The wire values the spec lists, in its order.
    const KNOWN: &'static [&'static str];
}

macro_rules! wire_enums {
    ($($t:ty),*) => {$(
        impl WireEnum for $t {
            const KNOWN: &'static [&'static str] = <$t>::KNOWN;
        }
    )*};
}
wire_enums!(FilePurpose, FileVisibility, SampleType, Source);

/// The value parser of an enum option: the spec's values are the possible values (listed by
/// `--help`, suggested on a typo); any other value is a usage error (exit 2).
fn wire_enum<E: WireEnum>() -> impl TypedValueParser<Value = E> {
    PossibleValuesParser::new(E::KNOWN.iter().copied()).map(|s| E::from(s.as_str()))
}

/// Parses a file id (a UUID) with the library's checks, so a bad id is a usage error (exit 2).
fn parse_file_id(s: &str) -> Result<FileId, String> {
    FileId::parse(s).map_err(|e| e.to_string())
}

/// `upload PATH... [options]`
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files to upload.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// What the files are for.
    #[arg(long, value_parser = wire_enum::<FilePurpose>(), default_value_t = FilePurpose::FineTune)]
    pub purpose: FilePurpose,
    /// Name to store the file under (default: the file's own name; only with a single PATH).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Lifetime of the stored file, in whole hours (at least 1).
    #[arg(long, value_name = "HOURS", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=24 * 365 * 100))]
    pub expiry: Option<u64>,
    /// Who can see the file (the service's default: everyone in the workspace).
    #[arg(long, value_parser = wire_enum::<FileVisibility>())]
    pub visibility: Option<FileVisibility>,
    /// Check locally that every line is a JSON object before sending.
    #[arg(long)]
    pub validate: bool,
    /// How many files to upload at once.
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}

/// `ls [filters] [--limit N] [--wide]`
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only files with this purpose.
    #[arg(long, value_parser = wire_enum::<FilePurpose>())]
    pub purpose: Option<FilePurpose>,
    /// Only files with one of these sample types (repeatable).
    #[arg(long = "sample-type", value_parser = wire_enum::<SampleType>(), value_name = "T")]
    pub sample_types: Vec<SampleType>,
    /// Only files from one of these sources (repeatable).
    #[arg(long = "source", value_parser = wire_enum::<Source>(), value_name = "S")]
    pub sources: Vec<Source>,
    /// Only files whose name contains this text.
    #[arg(long, value_name = "Q")]
    pub search: Option<String>,
    /// Only files with one of these MIME types (repeatable).
    #[arg(long = "mimetype", value_name = "M")]
    pub mimetypes: Vec<String>,
    /// Stop after this many files.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Files fetched per request (1 to 10000).
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub page_size: u32,
    /// Never shorten the table to the terminal's width (COLUMNS, else the terminal's).
    #[arg(long)]
    pub wide: bool,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}

/// `get ID`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The file id (a UUID; see `mistral-files ls`).
    #[arg(value_name = "ID", value_parser = parse_file_id)]
    pub id: FileId,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: JsonOutput,
}

/// `rm ID...`
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The file ids to delete.
    #[arg(required = true, value_name = "ID", value_parser = parse_file_id)]
    pub ids: Vec<FileId>,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}

/// `url ID [--expiry HOURS]`
#[derive(Debug, Args)]
pub struct UrlArgs {
    /// The file id.
    #[arg(value_name = "ID", value_parser = parse_file_id)]
    pub id: FileId,
    /// Hours before the URL stops working: 1 to 168 (one week, the service's limit).
    #[arg(long, value_name = "HOURS", allow_negative_numbers = true, default_value_t = 24, value_parser = clap::value_parser!(u64).range(mistral_files::SIGNED_URL_MIN_EXPIRY_HOURS..=mistral_files::SIGNED_URL_MAX_EXPIRY_HOURS))]
    pub expiry: u64,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: JsonOutput,
}

/// What `download` fetches: a file by id, or the content behind a signed URL.
#[derive(Debug, Clone)]
pub enum DownloadSource {
    /// A file id: fetched from the API with the key.
    Id(FileId),
    /// A signed URL: fetched without the key.
    Url(String),
}

/// Parses a download argument: an `http(s)://` URL is a signed URL, anything else a file id.
fn parse_download_source(s: &str) -> Result<DownloadSource, String> {
    if s.starts_with("http://") || s.starts_with("https://") {
        Ok(DownloadSource::Url(s.to_string()))
    } else {
        parse_file_id(s).map(DownloadSource::Id)
    }
}

/// `download ID|URL... [-o PATH | -o DIR | -o -] [--force]`
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// File ids, or one signed URL (from `mistral-files url`; fetched without the key).
    #[arg(required = true, value_name = "ID|URL", value_parser = parse_download_source)]
    pub sources: Vec<DownloadSource>,
    /// Where to write: a file path, a directory, or `-` for stdout (default: each file's own
    /// name, sanitized, in the current directory).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the target if it exists (without it, an existing file is never overwritten).
    #[arg(short, long)]
    pub force: bool,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}

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

/// Parses `BYTES:SECS`.
fn parse_stall(s: &str) -> Result<(u64, u64), String> {
    let err = || format!("expected BYTES:SECS (e.g. 1024:5), got {s:?}");
    let (b, secs) = s.split_once(':').ok_or_else(err)?;
    Ok((
        b.trim().parse().map_err(|_| err())?,
        secs.trim().parse().map_err(|_| err())?,
    ))
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

/// Whether the raw arguments ask for JSON output (`--json` or `--jsonl` before any `--`): then a
/// usage error is reported as JSON too, even though the command line could not be parsed.
pub fn wants_json(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    args.into_iter()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json" || a == "--jsonl")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn stall_parses() {
        assert_eq!(parse_stall("10:2"), Ok((10, 2)));
        assert!(parse_stall("10").is_err());
    }

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
    fn json_is_seen_before_a_double_dash_only() {
        let v = |a: &[&str]| wants_json(a.iter().map(std::ffi::OsString::from));
        assert!(v(&["mf", "ls", "--json"]));
        assert!(v(&["mf", "ls", "--jsonl"]));
        assert!(!v(&["mf", "upload", "--", "--json"]));
        assert!(!v(&["mf", "--json"][..1]));
    }
}
