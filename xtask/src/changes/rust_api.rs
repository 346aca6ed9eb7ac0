//! What the generated Rust surface says that the contract model cannot: a bound that makes
//! typify pick another integer type (`minimum: 0` gives `u64`, `minimum: 1` `NonZeroU64`), a
//! format that changes a field's type. Each member of the surface listing
//! ([`crate::surface::render`]) that is removed or changed between two generations becomes a
//! "Rust API" line, unless its operation or type already has a breaking line (which says more).

use super::{change, Change, Impact};
use std::collections::BTreeMap;

/// Block header (`struct types::FileObject`, `Client::list_files()`) -> member -> line.
type Listing = BTreeMap<String, BTreeMap<String, String>>;

/// The Rust API lines for the surface change from `old_rs` to `new_rs` (generated code).
pub fn changes(old_rs: &str, new_rs: &str, contract: &[Change]) -> Vec<Change> {
    let (Ok(old), Ok(new)) = (
        crate::surface::render(old_rs),
        crate::surface::render(new_rs),
    ) else {
        return Vec::new();
    };
    let (old, new) = (listing(&old), listing(&new));
    let already_breaking = |scope: &str| {
        contract
            .iter()
            .any(|c| c.impact == Impact::Breaking && c.scope() == scope)
    };
    let mut out = Vec::new();
    for (header, members) in &old {
        let scope = scope_of(header);
        if already_breaking(&scope) {
            continue;
        }
        let Some(now) = new.get(header) else {
            out.push(rust_line(
                &scope,
                format!("`{}` is gone", rust_part(header)),
            ));
            continue;
        };
        for (member, line) in members {
            // The request's method, path and query names are the contract's, which the
            // model reports; serde attributes follow from required-ness and nullability.
            if matches!(member.as_str(), "request" | "query") {
                continue;
            }
            match now
                .get(member)
                .map(|l| (l, rust_part(l) == rust_part(line)))
            {
                Some((_, true)) => {}
                None => out.push(rust_line(
                    &scope,
                    format!("`{}`: `{}` is gone", rust_part(header), rust_part(line)),
                )),
                Some((new_line, false)) => out.push(rust_line(
                    &scope,
                    format!(
                        "`{header}`: `{}` becomes `{}`",
                        rust_part(line),
                        rust_part(new_line)
                    ),
                )),
            }
        }
    }
    out
}

/// A listing line without its serde attributes (`bytes: Option<i64>  #[serde(...)]`).
fn rust_part(line: &str) -> &str {
    line.split("  #[").next().unwrap_or(line).trim()
}

fn rust_line(scope: &str, what: String) -> Change {
    change(
        Impact::Breaking,
        scope,
        format!("Rust API only (the wire is compatible): {what}"),
    )
}

fn listing(text: &str) -> Listing {
    let mut out = Listing::new();
    let mut header = None;
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            let h = rust_part(line).to_string();
            out.entry(h.clone()).or_default();
            header = Some(h);
            continue;
        }
        let Some(h) = &header else { continue };
        let line = line.trim();
        let end = line.find([':', '(', ' ', '=']).unwrap_or(line.len());
        let member = line[..end].to_string();
        let members = out.get_mut(h).expect("inserted with the header");
        members.insert(member, line.to_string());
    }
    out
}

/// `struct types::FileObject` -> `type FileObject`; `Client::list_files()` ->
/// `operation list_files`.
fn scope_of(header: &str) -> String {
    let header = rust_part(header);
    let last = header.rsplit([' ', ':']).next().unwrap_or(header);
    if let Some(op) = header
        .strip_prefix("Client::")
        .and_then(|h| h.strip_suffix("()"))
    {
        return format!("operation {op}");
    }
    format!("type {last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_read_by_name_and_scoped_by_block() {
        let text = "# Types\n\nstruct types::FileObject\n  bytes: Option<i64>  #[serde]\n  id: uuid::Uuid\n\nClient::list_files()\n  .page(i64)  optional\n";
        let l = listing(text);
        assert_eq!(
            l["struct types::FileObject"]["bytes"],
            "bytes: Option<i64>  #[serde]"
        );
        assert_eq!(l["Client::list_files()"][".page"], ".page(i64)  optional");
        assert_eq!(scope_of("struct types::FileObject"), "type FileObject");
        assert_eq!(scope_of("Client::list_files()"), "operation list_files");
        assert_eq!(scope_of("enum open_enums::FilePurpose"), "type FilePurpose");
    }
}
