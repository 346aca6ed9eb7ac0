//! The text after each command's `--help`: examples first (what a new user copies), then, for the
//! main help, exit codes and environment. Kept apart from `args/` so the options stay readable.

/// After `mistral-files --help`.
pub const MAIN: &str = "\
Examples:
  $ export MISTRAL_API_KEY=...
  $ mistral-files upload train.jsonl --purpose fine-tune --validate
  $ mistral-files ls --purpose fine-tune --limit 20
  $ mistral-files download 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e -o train-copy.jsonl
  $ mistral-files demo                     # the whole flow, no key, no network

Exit codes:
  0  success
  1  API or I/O error (the server refused, a file could not be read or written, the network failed;
     with several files, some failed); rm's question answered no
  2  usage error (bad arguments or options, invalid file id, missing API key); nothing was sent
  129, 130, 143  stopped by SIGHUP, SIGINT (Ctrl-C), SIGTERM: a download keeps its partial
                 copy and resumes in the next run

Environment:
  MISTRAL_API_KEY   the API key (same as --api-key); never printed
  MISTRAL_BASE_URL  the API base URL (same as --base-url), default https://api.mistral.ai
  COLUMNS           the width `ls` fits its table to (default: the terminal's)

Shell completions: `mistral-files completions bash|zsh|fish|powershell`; man page: `mistral-files man`.";

/// After `upload --help`.
pub const UPLOAD: &str = "\
Examples:
  $ mistral-files upload train.jsonl                      # fine-tune is the default purpose
  $ mistral-files upload a.jsonl b.jsonl c.jsonl --purpose batch --parallel 2
  $ mistral-files upload data.jsonl --name eval.jsonl --expiry 48 --validate
  $ mistral-files upload scan.pdf --purpose ocr --json | jq -r '.[0].id'";

/// After `ls --help`.
pub const LS: &str = "\
Examples:
  $ mistral-files ls
  $ mistral-files ls --purpose batch --search eval --limit 20
  $ mistral-files ls --wide                       # never shorten names to the terminal's width
  $ mistral-files ls --json | jq length           # one JSON array
  $ mistral-files ls --jsonl | jq -r .id          # one object per line, as pages arrive";

/// After `get --help`.
pub const GET: &str = "\
Examples:
  $ mistral-files get 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e
  $ mistral-files get 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e --json | jq .bytes";

/// After `rm --help`.
pub const RM: &str = "\
Examples:
  $ mistral-files rm 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e
  $ mistral-files rm --purpose batch --older-than 1d --dry-run   # list what would go
  $ mistral-files rm --purpose batch --older-than 1d             # asks: Delete N files (SIZE)? [y/N]
  $ mistral-files rm --name 'scratch-*.jsonl' --yes --json      # no question; every file's outcome

By filter, the files are all listed first, then deleted (up to --parallel at once, fewer when
the service slows down or refuses). More than one file needs a yes: typed at the question on a
terminal, else --yes (without it, nothing is deleted and the exit code is 2). Answering
anything but y or yes cancels: nothing deleted, exit code 1. A file that fails does not stop the
others; the exit code is then 1.";

/// After `url --help`.
pub const URL: &str = "\
Examples:
  $ mistral-files url 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e --expiry 1
  $ curl -o copy.jsonl \"$(mistral-files url 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e)\"";

/// After `download --help`.
pub const DOWNLOAD: &str = "\
Examples:
  $ mistral-files download 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e             # its own name, here
  $ mistral-files download 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e -o copy.jsonl --force
  $ mistral-files download ID1 ID2 ID3 -o backup/                              # several into a directory
  $ mistral-files download 3b6d2a3e-5c43-4f47-9d5e-1f1a2b3c4d5e -o - | head
  $ mistral-files download \"$SIGNED_URL\" -o copy.jsonl                         # no key needed
  $ mistral-files download --purpose batch --sample-type batch_result -o results/
  $ mistral-files download --name 'report-*' --newer-than 12h -o reports/ --dry-run

By filter, -o is a directory (created if missing; default: here) and each file keeps its own
name (made safe; a name shared by several files gets the id's first 8 characters). A file
already there with the right size is skipped, so running the command again finishes what an
interrupted run left (partial downloads resume). A file that fails does not stop the others;
the exit code is then 1.";

/// After `serve --help`.
pub const SERVE: &str = "\
Examples:
  $ mistral-files serve                                  # http://127.0.0.1:8080, key test-key
  $ mistral-files serve --addr 127.0.0.1:0 --data ./store --api-key local-key
  $ mistral-files serve --fail-next 2:429:1 --throttle-download 65536
  $ mistral-files serve --rate-limit 20/s                # 429 + Retry-After past 20 requests/s per key
  then, in another shell:
  $ MISTRAL_BASE_URL=http://127.0.0.1:8080 MISTRAL_API_KEY=test-key mistral-files ls

On the network (a container, a shared host): any address but loopback needs a key of your own;
the default key test-key is refused there (exit 2) unless --insecure-default-key.
  $ mistral-files serve --addr 0.0.0.0:8080 --api-key-file ./emulator.key --public-url http://ci-host:8080";

/// After `demo --help`.
pub const DEMO: &str = "\
Examples:
  $ mistral-files demo
  $ mistral-files demo --json | jq .passed
  $ mistral-files demo --keep                    # explore the emulator afterwards";

/// After `completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  $ mistral-files completions bash > ~/.local/share/bash-completion/completions/mistral-files
  $ mistral-files completions zsh > \"${fpath[1]}/_mistral-files\"
  $ mistral-files completions fish > ~/.config/fish/completions/mistral-files.fish
  PS> mistral-files completions powershell | Out-String | Invoke-Expression";

/// After `man --help`.
pub const MAN: &str = "\
Examples:
  $ mistral-files man | man -l -
  $ mistral-files man --dir ~/.local/share/man/man1";
