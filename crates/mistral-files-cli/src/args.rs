//! The command line, as clap derive types.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mistral_files::FileId;
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

/// A file's purpose, as the command line accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Purpose {
    /// Fine-tuning data (.jsonl only).
    #[value(name = "fine-tune")]
    FineTune,
    /// Batch requests (.jsonl).
    Batch,
    /// Documents and images for OCR.
    Ocr,
}

impl From<Purpose> for mistral_files::FilePurpose {
    fn from(p: Purpose) -> Self {
        match p {
            Purpose::FineTune => mistral_files::FilePurpose::FineTune,
            Purpose::Batch => mistral_files::FilePurpose::Batch,
            Purpose::Ocr => mistral_files::FilePurpose::Ocr,
        }
    }
}

/// Who can see an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Visibility {
    /// Everyone in the workspace (the service's default).
    Workspace,
    /// Only the uploading user.
    User,
}

impl From<Visibility> for mistral_files::FileVisibility {
    fn from(v: Visibility) -> Self {
        match v {
            Visibility::Workspace => mistral_files::FileVisibility::Workspace,
            Visibility::User => mistral_files::FileVisibility::User,
        }
    }
}

/// The kind of samples a file holds (list filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SampleTypeArg {
    /// Pretraining data.
    #[value(name = "pretrain")]
    Pretrain,
    /// Instruction data.
    #[value(name = "instruct")]
    Instruct,
    /// Batch requests.
    #[value(name = "batch_request")]
    BatchRequest,
    /// Batch results.
    #[value(name = "batch_result")]
    BatchResult,
    /// Batch errors.
    #[value(name = "batch_error")]
    BatchError,
}

impl From<SampleTypeArg> for mistral_files::SampleType {
    fn from(s: SampleTypeArg) -> Self {
        use mistral_files::SampleType as S;
        match s {
            SampleTypeArg::Pretrain => S::Pretrain,
            SampleTypeArg::Instruct => S::Instruct,
            SampleTypeArg::BatchRequest => S::BatchRequest,
            SampleTypeArg::BatchResult => S::BatchResult,
            SampleTypeArg::BatchError => S::BatchError,
        }
    }
}

/// Where a file came from (list filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// Uploaded by a user.
    Upload,
    /// From a repository.
    Repository,
    /// Produced by Mistral (e.g. batch results).
    Mistral,
}

impl From<SourceArg> for mistral_files::Source {
    fn from(s: SourceArg) -> Self {
        match s {
            SourceArg::Upload => mistral_files::Source::Upload,
            SourceArg::Repository => mistral_files::Source::Repository,
            SourceArg::Mistral => mistral_files::Source::Mistral,
        }
    }
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
    #[arg(long, value_enum, default_value_t = Purpose::FineTune)]
    pub purpose: Purpose,
    /// Name to store the file under (default: the file's own name; only with a single PATH).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Lifetime of the stored file, in whole hours (at least 1).
    #[arg(long, value_name = "HOURS", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=24 * 365 * 100))]
    pub expiry: Option<u64>,
    /// Who can see the file.
    #[arg(long, value_enum)]
    pub visibility: Option<Visibility>,
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
    #[arg(long, value_enum)]
    pub purpose: Option<Purpose>,
    /// Only files with one of these sample types (repeatable).
    #[arg(long = "sample-type", value_enum, value_name = "T")]
    pub sample_types: Vec<SampleTypeArg>,
    /// Only files from one of these sources (repeatable).
    #[arg(long = "source", value_enum, value_name = "S")]
    pub sources: Vec<SourceArg>,
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
    /// Hours before the URL stops working (the server enforces its own maximum).
    #[arg(long, value_name = "HOURS", allow_negative_numbers = true, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=24 * 365 * 100))]
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
