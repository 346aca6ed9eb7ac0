//! The command line, as clap derive types.
//!
//! Options are grouped by what they apply to, so that each command's `--help` lists only its own:
//! `ClientArgs` (key, base URL, retries) only on the commands that call the API, `ListOutput` /
//! `JsonOutput` only where there is a result to print, `-v` everywhere (the one global option).
//! The environment (`MISTRAL_API_KEY`, `MISTRAL_BASE_URL`) is read after parsing rather than
//! through clap's `env`, because clap shows env-filled options in usage lines as if they were
//! required arguments.
//!
//!   mod.rs     the command line, the options shared by several commands, the enum parsers
//!   files.rs   the API commands' arguments (upload, ls, get, rm, url, download)
//!   select.rs  selecting files by filter (`rm` and `download` without ids), ages like `7d`
//!   serve.rs   the arguments of serve, demo, completions, man

mod files;
mod select;
mod serve;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use mistral_files::{FileId, FilePurpose, FileVisibility, SampleType, Source};

pub use files::{DownloadArgs, DownloadSource, GetArgs, LsArgs, RmArgs, UploadArgs, UrlArgs};
pub use select::{BulkArgs, ListFilters, SelectArgs};
pub use serve::{CompletionsArgs, DemoArgs, ManArgs, ServeArgs};

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
    /// Delete files, by id or by filter (--purpose, --older-than, --name, ...).
    #[command(visible_alias = "delete", after_help = examples::RM,
              override_usage = "mistral-files rm [OPTIONS] <ID>...\n       mistral-files rm [OPTIONS] <--all|FILTER...> [--dry-run] [--yes]")]
    Rm(RmArgs),
    /// Get a signed URL for a file's content (usable without the API key).
    #[command(after_help = examples::URL)]
    Url(UrlArgs),
    /// Download files by id or by filter into a directory, or a signed URL's content.
    #[command(after_help = examples::DOWNLOAD,
              override_usage = "mistral-files download [OPTIONS] <ID|URL>...\n       mistral-files download [OPTIONS] <--all|FILTER...> [-o DIR] [--dry-run]")]
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
    fn json_is_seen_before_a_double_dash_only() {
        let v = |a: &[&str]| wants_json(a.iter().map(std::ffi::OsString::from));
        assert!(v(&["mf", "ls", "--json"]));
        assert!(v(&["mf", "ls", "--jsonl"]));
        assert!(!v(&["mf", "upload", "--", "--json"]));
        assert!(!v(&["mf", "--json"][..1]));
    }
}
