//! The arguments of the commands that call the API: upload, ls, get, rm, url, download.

use std::path::PathBuf;

use clap::Args;
use mistral_files::{FileId, FilePurpose, FileVisibility};

use super::{
    parse_file_id, wire_enum, BulkArgs, ClientArgs, JsonOutput, ListFilters, ListOutput, SelectArgs,
};

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
    /// Which files to list.
    #[command(flatten)]
    pub filters: ListFilters,
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

/// `rm ID...`, or `rm FILTERS... [--dry-run] [--yes]`
#[derive(Debug, Args)]
pub struct RmArgs {
    /// The file ids to delete (or select the files with the filters below).
    #[arg(value_name = "ID", value_parser = parse_file_id,
          required_unless_present = "filter", conflicts_with = "filter")]
    pub ids: Vec<FileId>,
    /// Which files to delete, instead of ids.
    #[command(flatten)]
    pub select: SelectArgs,
    /// What to do with the selected files.
    #[command(flatten)]
    pub bulk: BulkArgs,
    /// Delete the selected files without asking (needed for more than one file when stdin is
    /// not a terminal).
    #[arg(
        short,
        long,
        requires = "filter",
        help_heading = "Selection (instead of ids)"
    )]
    pub yes: bool,
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

/// `download ID|URL... [-o PATH | -o DIR | -o -] [--force]`, or
/// `download FILTERS... [-o DIR] [--dry-run]`
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// File ids, or one signed URL (from `mistral-files url`; fetched without the key); or
    /// select the files with the filters below.
    #[arg(value_name = "ID|URL", value_parser = parse_download_source,
          required_unless_present = "filter", conflicts_with = "filter")]
    pub sources: Vec<DownloadSource>,
    /// Where to write: a file path, a directory, or `-` for stdout (default: each file's own
    /// name, sanitized, in the current directory). With filters, a directory (created if
    /// missing).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the target if it exists (without it, an existing file is never overwritten; with
    /// filters, one of the right size is skipped either way).
    #[arg(short, long)]
    pub force: bool,
    /// Which files to download, instead of ids.
    #[command(flatten)]
    pub select: SelectArgs,
    /// What to do with the selected files.
    #[command(flatten)]
    pub bulk: BulkArgs,
    /// Client options.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Output options.
    #[command(flatten)]
    pub out: ListOutput,
}
