//! Fails the build of the workspace checks when an input of the generated client changed but
//! the client was not regenerated: the hashes in the generated file's header must match the
//! inputs. The header is parsed by xtask's own parser (the same file, included below), so there
//! is one definition of the header's format.

#[path = "xtask/src/codegen/header.rs"]
#[allow(dead_code)]
mod header;

use std::path::Path;

const GENERATED: &str = "crates/mistral-files-raw/src/generated.rs";

fn main() {
    println!("cargo:rerun-if-changed={GENERATED}");
    println!("cargo:rerun-if-changed=openapi");
    let generated = std::fs::read_to_string(GENERATED).unwrap_or_default();
    let (stale, has_header) = header::stale_inputs(Path::new("."), &generated);
    if !has_header {
        panic!("\n\n{GENERATED} has no provenance header: run `cargo xtask codegen`\n\n");
    }
    if !stale.is_empty() {
        panic!(
            "\n\n{} changed since {GENERATED} was generated.\n\
             Run `cargo xtask codegen`, read its change report (last line: the impact), review the\n\
             snapshot and public API diffs, and commit.\n\n",
            stale.join(" and ")
        );
    }
}
