#!/usr/bin/env python3
"""Compile every README's Rust snippets in a new project, as a new user would.

For each README (the root one and crates/*/README.md) with ```rust blocks: a new project under
target/readme-snippets/<name>/ (a workspace of its own) that runs exactly the `cargo add`
commands the README gives (in its console blocks and inline, our crates by path, the others
from the registry at their newest compatible versions), then builds every snippet in it:
- a snippet with `fn main` is an example as it is;
- one with `#[test]`/`#[tokio::test]` is an integration test as it is (dev-dependencies apply);
- any other is wrapped as rustdoc wraps it (`fn main() { ... }`, returning a Result when it ends
  with `(())`).
Hidden lines (`# ` prefix) are kept, as rustdoc compiles them. A snippet's
`#[cfg(feature = "x")]` means our crate's feature in rustdoc; here the project declares, and
enables, each feature the README's `cargo add` lines turn on for our crates, so the code under it
is compiled, not skipped. A snippet opts out with
```rust,ignore (pseudo-code: keep that rare) or shows a compile error with ```rust,compile_fail.
"""

import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OURS = {p.parent.name: p.parent for p in ROOT.glob("crates/*/Cargo.toml")}


def blocks(text):
    """(info string, code) of each fenced block."""
    return re.findall(r"^```([^\n]*)\n(.*?)^```", text, flags=re.S | re.M)


def unhide(code):
    """rustdoc's hidden lines, shown: `# x` -> `x`, `#` alone -> empty, `##` -> `#`."""
    out = []
    for line in code.splitlines():
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped == "#":
            out.append("")
        elif stripped.startswith("# "):
            out.append(indent + stripped[2:])
        elif stripped.startswith("##"):
            out.append(indent + stripped[1:])
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def cargo_adds(text):
    """The arguments of every `cargo add` the README gives, in order, without duplicates."""
    seen = []
    for m in re.finditer(r"cargo add ([^`\n]+)", text):
        args = m.group(1).split("#")[0].strip()
        if args and args not in seen:
            seen.append(args)
    return seen


def our_features(adds):
    """The features the `cargo add` lines turn on for our crates."""
    out = []
    for args in adds:
        words = shlex.split(args)
        if not any(w in OURS for w in words):
            continue
        for i, w in enumerate(words):
            if w in ("--features", "-F") and i + 1 < len(words):
                out += [f for f in re.split(r"[ ,]", words[i + 1]) if f]
    return out


def add(project, args):
    words = shlex.split(args)
    cmd = ["cargo", "add", "--quiet"]
    for w in words:
        cmd += ["--path", str(OURS[w])] if w in OURS else [w]
    print("   cargo add " + args, flush=True)
    subprocess.run(cmd, cwd=project, check=True)


def place(project, n, code):
    """Writes snippet `n` where it compiles as rustdoc would compile it."""
    if re.search(r"^\s*#\[(tokio::)?test\]", code, flags=re.M):
        path = project / "tests" / f"snippet_{n}.rs"
    else:
        path = project / "examples" / f"snippet_{n}.rs"
        if not re.search(r"^\s*(async\s+)?fn main\s*\(", code, flags=re.M):
            if code.rstrip().endswith("(())"):
                code = ("fn main() {\n    fn _inner() -> Result<(), impl core::fmt::Debug> {\n"
                        + code + "    }\n    _inner().unwrap()\n}\n")
            else:
                code = "fn main() {\n" + code + "}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#![allow(unused)]\n" + code)


def main():
    out = ROOT / "target" / "readme-snippets"
    target_dir = sys.argv[1] if len(sys.argv) > 1 else str(out / "target")
    readmes = [ROOT / "README.md"] + sorted(ROOT.glob("crates/*/README.md"))
    built = 0
    for readme in readmes:
        text = readme.read_text()
        snippets = [
            unhide(code)
            for info, code in blocks(text)
            if info.split(",")[0].strip() == "rust"
            and not {"ignore", "compile_fail"} & {w.strip() for w in info.split(",")}
        ]
        if not snippets:
            continue
        rel = readme.relative_to(ROOT)
        name = "readme-" + (readme.parent.name if readme.parent != ROOT else "root")
        project = out / name
        subprocess.run(["rm", "-rf", str(project)], check=True)
        (project / "src").mkdir(parents=True)
        adds = cargo_adds(text)
        features = our_features(adds)
        (project / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
            + "[features]\ndefault = [" + ", ".join(f'"{f}"' for f in features) + "]\n"
            + "".join(f"{f} = []\n" for f in features)
            + "\n[dependencies]\n\n[workspace]\n"
        )
        (project / "src" / "lib.rs").write_text("")
        print(f"== {rel}: {len(snippets)} snippets", flush=True)
        for args in adds:
            add(project, args)
        for n, code in enumerate(snippets, 1):
            place(project, n, code)
        subprocess.run(
            ["cargo", "build", "--quiet", "--examples", "--tests", "--target-dir", target_dir],
            cwd=project,
            check=True,
        )
        built += len(snippets)
    print(f"{built} README snippets compiled")


if __name__ == "__main__":
    main()
