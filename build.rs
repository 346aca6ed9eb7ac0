//! Fails the build of the workspace checks when `openapi/` changed but the generated client
//! was not regenerated: the hashes in the generated file's header must match the inputs.

use sha2::{Digest, Sha256};
use std::path::Path;

const GENERATED: &str = "crates/mistral-files-raw/src/generated.rs";
const INPUTS: &[(&str, &str)] = &[
    ("// spec: ", "openapi/mistral-files.yaml"),
    ("// overlay: ", "openapi/overlay.yaml"),
    ("// docs: ", "openapi/docs.yaml"),
];

fn main() {
    println!("cargo:rerun-if-changed={GENERATED}");
    let generated = std::fs::read_to_string(GENERATED).unwrap_or_default();
    let mut stale = Vec::new();
    for (prefix, input) in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        let actual = match std::fs::read(input) {
            Ok(bytes) => hex(&Sha256::digest(bytes)),
            Err(e) => panic!("cannot read {input}: {e}"),
        };
        let recorded = generated
            .lines()
            .take_while(|l| l.starts_with("//"))
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split("sha256:").nth(1))
            .unwrap_or("");
        if recorded != actual {
            stale.push(*input);
        }
    }
    if !stale.is_empty() {
        let shown: Vec<_> = stale
            .iter()
            .map(|p| Path::new(p).display().to_string())
            .collect();
        panic!(
            "\n\n{} changed since {GENERATED} was generated.\n\
             Run `cargo xtask codegen`, read its change report (last line: the impact), review the snapshot\n             and public API diffs, and commit.\n\n",
            shown.join(" and ")
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
