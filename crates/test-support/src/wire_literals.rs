//! The guard against hand-kept copies of the spec's enum values: parses a crate's `src/**/*.rs`
//! with `syn` and reports every string literal of non-test code that is exactly one of the wire
//! values the raw crate's open enums list (`FilePurpose::KNOWN`, ...). Such values must come from
//! the enums (`KNOWN`, `as_str()`, a variant), so that a value added to the spec reaches the code
//! with no list to update.
//!
//! Looked at: every string and byte string literal in code, in attribute arguments (e.g.
//! `#[value(name = "...")]`, tokens that syn leaves unparsed) and in macro bodies (`vec![..]`,
//! `json!(..)`, `format!(..)`, `macro_rules!`). Left out: doc comments (`///`, `//!`, `#[doc]`),
//! items marked `#[cfg(test)]` (inline test modules, and the files of out-of-line ones). An
//! attribute other than exactly `#[cfg(test)]` (e.g. `#[cfg(all(test, unix))]`) is scanned: the
//! guard errs on the side of reporting.
//!
//! Used by the emulator's and the CLI's tests, each with its own crate directory and allow-list:
//! [`assert_no_hand_kept_enum_values`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;
use syn::{Attribute, Item, Lit, LitByteStr, LitStr, Meta};

/// One literal found: file (relative to the crate root), line, value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// The file, relative to the crate root (`src/...`).
    pub file: String,
    /// The line of the literal (1-based).
    pub line: usize,
    /// The literal's value.
    pub value: String,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {:?}", self.file, self.line, self.value)
    }
}

/// A literal allowed in one file, with the reason it is not a copy of an enum value.
pub struct Allowed {
    /// The file, relative to the crate root (`src/...`).
    pub file: &'static str,
    /// The literal's value.
    pub value: &'static str,
    /// Why it is not a copy of an enum value (must not be empty).
    pub reason: &'static str,
}

/// Whether an attribute is exactly `#[cfg(test)]`.
fn is_cfg_test(attr: &Attribute) -> bool {
    match &attr.meta {
        Meta::List(l) => l.path.is_ident("cfg") && l.tokens.to_string().trim() == "test",
        _ => false,
    }
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Collects the literals of one file that are in `known`.
struct Finder<'a> {
    known: &'a BTreeSet<&'a str>,
    file: &'a str,
    hits: Vec<Hit>,
    /// Names of out-of-line `#[cfg(test)] mod name;` declared in this file.
    test_mods: Vec<String>,
}

impl Finder<'_> {
    fn check(&mut self, value: &str, span: proc_macro2::Span) {
        if self.known.contains(value) {
            self.hits.push(Hit {
                file: self.file.to_string(),
                line: span.start().line,
                value: value.to_string(),
            });
        }
    }

    /// Literals in tokens syn does not parse (attribute arguments, macro bodies); a doc comment
    /// in them (`# [doc = "..."]`) is skipped.
    fn tokens(&mut self, stream: TokenStream) {
        let mut after_pound = false;
        for tt in stream {
            match tt {
                TokenTree::Group(g) => {
                    let is_doc = after_pound
                        && g.delimiter() == proc_macro2::Delimiter::Bracket
                        && matches!(g.stream().into_iter().next(),
                                    Some(TokenTree::Ident(i)) if i == "doc");
                    if !is_doc {
                        self.tokens(g.stream());
                    }
                    after_pound = false;
                }
                // `#[...]`, or `#![...]` for an inner attribute
                TokenTree::Punct(p) => {
                    after_pound = p.as_char() == '#' || (after_pound && p.as_char() == '!')
                }
                TokenTree::Literal(l) => {
                    after_pound = false;
                    match Lit::new(l) {
                        Lit::Str(s) => self.visit_lit_str(&s),
                        Lit::ByteStr(b) => self.visit_lit_byte_str(&b),
                        _ => {}
                    }
                }
                TokenTree::Ident(_) => after_pound = false,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_lit_str(&mut self, l: &'ast LitStr) {
        self.check(&l.value(), l.span());
    }

    fn visit_lit_byte_str(&mut self, l: &'ast LitByteStr) {
        if let Ok(s) = String::from_utf8(l.value()) {
            self.check(&s, l.span());
        }
    }

    fn visit_attribute(&mut self, a: &'ast Attribute) {
        if a.path().is_ident("doc") {
            return;
        }
        match &a.meta {
            Meta::List(l) => self.tokens(l.tokens.clone()),
            Meta::NameValue(nv) => self.visit_expr(&nv.value),
            Meta::Path(_) => {}
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
    }

    fn visit_item(&mut self, i: &'ast Item) {
        if item_attrs(i).iter().any(is_cfg_test) {
            if let Item::Mod(m) = i {
                if m.content.is_none() {
                    self.test_mods.push(m.ident.to_string());
                }
            }
            return;
        }
        syn::visit::visit_item(self, i);
    }
}

/// The literals in `source` (named `file` in the hits) that are in `known`, and the names of its
/// out-of-line `#[cfg(test)]` modules.
pub fn scan_source(file: &str, source: &str, known: &BTreeSet<&str>) -> (Vec<Hit>, Vec<String>) {
    let parsed = syn::parse_file(source).unwrap_or_else(|e| panic!("{file}: does not parse: {e}"));
    let mut f = Finder {
        known,
        file,
        hits: Vec::new(),
        test_mods: Vec::new(),
    };
    f.visit_file(&parsed);
    (f.hits, f.test_mods)
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The directory holding the out-of-line submodules of the module in `file`.
fn submodule_dir(file: &Path) -> PathBuf {
    let parent = file.parent().expect("a file has a parent");
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => parent.to_path_buf(),
        Some(stem) => parent.join(stem),
        None => parent.to_path_buf(),
    }
}

/// Every literal of `crate_root/src/**/*.rs` (non-test code) that is in `known`, sorted.
pub fn scan_crate(crate_root: &Path, known: &BTreeSet<&str>) -> Vec<Hit> {
    let mut files = Vec::new();
    rs_files(&crate_root.join("src"), &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no sources under {}",
        crate_root.display()
    );
    let mut hits = Vec::new();
    // Files of out-of-line test modules: `dir/name.rs` and everything under `dir/name/`.
    let mut test_paths: Vec<PathBuf> = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(crate_root)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let (found, test_mods) = scan_source(&rel, &text, known);
        hits.extend(found.into_iter().map(|h| (path.clone(), h)));
        for m in test_mods {
            let dir = submodule_dir(path);
            test_paths.push(dir.join(format!("{m}.rs")));
            test_paths.push(dir.join(m));
        }
    }
    let mut hits: Vec<Hit> = hits
        .into_iter()
        .filter(|(p, _)| !test_paths.iter().any(|t| p.starts_with(t)))
        .map(|(_, h)| h)
        .collect();
    hits.sort();
    hits
}

/// Fails, naming file and line, when non-test code of the crate at `crate_root` has a string
/// literal equal to one of `known` (other than an `allowed` one); also fails when an `allowed`
/// entry no longer matches anything (so the list cannot outlive its reasons).
pub fn assert_no_hand_kept_values(crate_root: &Path, known: &BTreeSet<&str>, allowed: &[Allowed]) {
    assert!(
        allowed.iter().all(|a| !a.reason.trim().is_empty()),
        "every allowed literal needs a reason"
    );
    let hits = scan_crate(crate_root, known);
    let mut used = vec![false; allowed.len()];
    let mut bad = Vec::new();
    for h in &hits {
        match allowed
            .iter()
            .position(|a| a.file == h.file && a.value == h.value)
        {
            Some(i) => used[i] = true,
            None => bad.push(h.to_string()),
        }
    }
    assert!(
        bad.is_empty(),
        "string literals equal to a wire value of the spec's enums in non-test code; take them \
         from the enums instead (`KNOWN`, a variant's `as_str()` / `to_string()`):\n  {}",
        bad.join("\n  ")
    );
    let stale: Vec<String> = allowed
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| format!("{} {:?}", a.file, a.value))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed literals that no longer occur (remove them): {stale:?}"
    );
}

/// Every wire value of the spec's open enums, as the raw crate lists them (`FilePurpose::KNOWN`,
/// `SampleType::KNOWN`, `Source::KNOWN`, `FileVisibility::KNOWN`).
pub fn spec_enum_values() -> BTreeSet<&'static str> {
    use mistral_files_raw::open_enums::{FilePurpose, FileVisibility, SampleType, Source};
    FilePurpose::KNOWN
        .iter()
        .chain(SampleType::KNOWN)
        .chain(Source::KNOWN)
        .chain(FileVisibility::KNOWN)
        .copied()
        .collect()
}

/// [`assert_no_hand_kept_values`] with every value of [`spec_enum_values`]: the guard a crate's
/// test runs on its own `src/` (`crate_root` is its `CARGO_MANIFEST_DIR`).
pub fn assert_no_hand_kept_enum_values(crate_root: impl AsRef<Path>, allowed: &[Allowed]) {
    assert_no_hand_kept_values(crate_root.as_ref(), &spec_enum_values(), allowed);
}

/// A source with the value hidden in every place the guard must look, and in the places it must
/// not; checks the guard finds exactly the former (so that a clean result means something).
pub fn self_check() {
    let known: BTreeSet<&str> = ["hand-kept"].into_iter().collect();
    let source = r####"
//! "hand-kept" in a module doc
/// "hand-kept" in a doc comment
const LIST: [&str; 1] = ["hand-kept"]; // line 4
#[doc = "hand-kept"]
fn f(x: &str) -> bool {
    matches!(x, "hand-kept") // line 7
}
#[derive(Clone)]
enum E {
    #[value(name = "hand-kept")] // line 11
    A,
}
fn g() {
    let _ = vec![b"hand-kept"]; // line 15
    let _ = serde_json::json!({"k": "hand-kept"}); // line 16
    let _ = "hand-kept and more";
    let _ = r#"hand-kept"#; // line 18
}
macro_rules! m {
    () => {
        /// "hand-kept"
        "hand-kept" // line 23
    };
}
#[cfg(test)]
mod tests {
    const T: &str = "hand-kept";
}
#[cfg(test)]
fn only_in_tests() -> &'static str {
    "hand-kept"
}
#[cfg(test)]
mod out_of_line;
"####;
    let (hits, test_mods) = scan_source("x.rs", source, &known);
    let lines: Vec<usize> = hits.iter().map(|h| h.line).collect();
    assert_eq!(lines, [4, 7, 11, 15, 16, 18, 23], "{hits:?}");
    assert_eq!(test_mods, ["out_of_line"]);
}
