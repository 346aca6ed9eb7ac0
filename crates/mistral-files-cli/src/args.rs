//! The command line, as clap derive types.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use mistral_files::{FileId, FilePurpose, FileVisibility, SampleType, Source};
use mistral_files_emulator::FailSpec;

/// Text shown after `--help`: exit codes and environment.
const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  API or I/O error (the server refused, a file could not be read or written, the network failed)
  2  usage error (bad arguments or options, invalid file id, missing API key); nothing was sent
  130  interrupted (Ctrl-C)

Environment:
  MISTRAL_API_KEY   the API key (same as --api-key); never printed
  MISTRAL_BASE_URL  the API base URL (same as --base-url), default https://api.mistral.ai

Try it with no key and no network: `mistral-files demo`.";

/// Upload, list, download and delete files of the Mistral AI Files API; run a local emulator.
#[derive(Debug, Parser)]
#[command(name = "mistral-files", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command (accepted before or after the command name).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API base URL: scheme, host, optional port and path prefix.
    #[arg(long, global = true, env = "MISTRAL_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// API key (prefer the environment variable: command lines are visible to other users).
    #[arg(
        long,
        global = true,
        env = "MISTRAL_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Print one JSON document per result on stdout (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// How many times to retry a failed request that can safely be retried.
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true, default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload one or more files.
    Upload(UploadArgs),
    /// List files (pages through all of them, lazily).
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Show one file's metadata.
    Get(GetArgs),
    /// Delete files.
    #[command(visible_alias = "delete")]
    Rm(RmArgs),
    /// Get a signed URL for a file's content (usable without the API key).
    Url(UrlArgs),
    /// Download a file's content.
    Download(DownloadArgs),
    /// Run the local Files API emulator until Ctrl-C.
    Serve(ServeArgs),
    /// Start an emulator in-process and run the whole flow against it (no key, no network needed).
    Demo(DemoArgs),
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
}

/// `ls [filters] [--limit N]`
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
}

/// `get ID`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The file id (a UUID; see `mistral-files ls`).
    #[arg(value_name = "ID", value_parser = parse_file_id)]
    pub id: FileId,
}

/// `rm ID...`
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The file ids to delete.
    #[arg(required = true, value_name = "ID", value_parser = parse_file_id)]
    pub ids: Vec<FileId>,
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
}

/// `download ID [-o PATH | -o -] [--force]`
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The file id.
    #[arg(value_name = "ID", value_parser = parse_file_id)]
    pub id: FileId,
    /// Where to write: a file path, a directory, or `-` for stdout (default: the file's own
    /// name, sanitized, in the current directory).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the target if it exists (without it, an existing file is never overwritten).
    #[arg(short, long)]
    pub force: bool,
}

/// `serve [--addr ADDR] [--data DIR] [--api-key KEY] [faults]`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// Keep files in this directory across restarts (default: a temporary one, removed on exit).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Accept requests without any API key (by default the key is --api-key /
    /// MISTRAL_API_KEY, or `test-key` when neither is set).
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
    /// Fault: latency added before every response, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,
    /// Fault: answer the next N API requests with STATUS (and a Retry-After of SECS); repeatable.
    #[arg(long, value_name = "N:STATUS[:SECS]")]
    pub fail_next: Vec<FailSpec>,
    /// Fault: cut the first download after BYTES bytes of body.
    #[arg(long, value_name = "BYTES")]
    pub cut_download_after: Option<u64>,
    /// Fault: stall the first download after BYTES bytes, for SECS seconds.
    #[arg(long, value_name = "BYTES:SECS", value_parser = parse_stall)]
    pub stall_download_after: Option<(u64, u64)>,
    /// Fault: pace every download to about this many bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC")]
    pub throttle_download: Option<u64>,
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
}
