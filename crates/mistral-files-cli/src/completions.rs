//! `completions SHELL` and `man`: generated from the same clap definition as the parser, so they
//! can never list an option the command does not take.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::error::CliError;
use crate::output::write_stdout;

/// The binary's name, as completions and man pages know it.
const BIN: &str = "mistral-files";

/// Prints the completion script for a shell on stdout.
pub fn completions(args: CompletionsArgs) -> Result<(), CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    write_stdout(String::from_utf8_lossy(&script).trim_end())
}

/// Prints the main man page on stdout, or writes a page per command into `--dir`.
pub fn man(args: ManArgs) -> Result<(), CliError> {
    let cmd = Cli::command();
    match args.dir {
        Some(dir) => {
            let io = |e: std::io::Error| {
                CliError::failure(format!(
                    "could not write the man pages into {}: {e}",
                    dir.display()
                ))
            };
            std::fs::create_dir_all(&dir).map_err(io)?;
            clap_mangen::generate_to(cmd, &dir).map_err(io)
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .map_err(|e| CliError::failure(format!("could not render the man page: {e}")))?;
            write_stdout(String::from_utf8_lossy(&page).trim_end())
        }
    }
}
