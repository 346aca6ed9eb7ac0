//! The public-API lister, through `xtask::public_api`: fixture crates written to temporary
//! directories, the token printer, and the workspace's own library crates.

use xtask::public_api::{listings, render, tokens, HEADER};

/// A crate written into a fresh temporary directory, removed again on drop.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("xtask-public-api-{name}-"))
            .tempdir()
            .unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    fn render(&self, overrides: &[(&str, &str)]) -> String {
        render(self.dir.path(), "fixture", overrides).unwrap()
    }
}

const LIB: &str = r#"
mod hidden;
mod inner;
pub mod outer;
#[path = "elsewhere/renamed.rs"]
pub mod pathed;
#[cfg(test)]
mod tests; // no such file: must not be read

pub use hidden::{Renamed as Alias, Visible};
pub use inner::*;
pub use other_crate::thing::{Ext, Ext2 as Ext3};

pub(crate) struct CrateOnly;
#[cfg(test)]
pub struct TestOnly;

/// A free function with generics and a where clause.
pub fn free<T: Clone>(x: &'static str, mut y: Option<u64>) -> Vec<T> where T: Default { todo!() }
pub const LIMIT: u32 = 3;

pub trait Shape: Clone + Send {
    type Unit;
    const SIDES: u8;
    fn area(&self) -> f64;
}
"#;

const HIDDEN: &str = r#"
use std::fmt;

#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Visible {
    pub id: u64,
    pub name: Option<::std::string::String>,
    secret: u8,
    pub(crate) also_secret: u8,
}

pub struct Renamed(pub String, u8);

pub struct NotReExported;

impl Visible {
    pub fn new() -> Self { todo!() }
    pub(crate) fn internal(&self) {}
    fn private() {}
    pub const MAX: usize = 1;
    pub async fn fetch<'a>(&'a mut self, s: &'a str) -> Result<(), String> { todo!() }
    #[cfg(test)]
    pub fn test_helper() {}
}

impl NotReExported {
    pub fn hidden_method(&self) {}
}

impl crate::Shape for Visible {
    type Unit = u8;
    const SIDES: u8 = 4;
    fn area(&self) -> f64 { 1.0 }
}

impl fmt::Display for Renamed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { todo!() }
}

impl<'a> From<&'a str> for Renamed {
    fn from(s: &'a str) -> Self { todo!() }
}

impl std::fmt::Debug for NotReExported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { todo!() }
}
"#;

const INNER: &str = r#"
pub mod types {
    #[derive(PartialEq)]
    pub enum Kind {
        A,
        B(String),
        #[non_exhaustive]
        C { x: u8 },
    }
}
pub struct Globbed;
pub mod deeper;
pub(crate) fn not_public() {}
mod private_child {
    pub struct Buried;
}
"#;

const OUTER: &str = r#"
pub mod chain;
pub mod inline {
    pub fn f() {}
    pub(super) fn g() {}
}
"#;

const CHAIN: &str = r#"
#[derive(Clone)]
pub struct Link<'a, T: Clone> { pub value: &'a T }
pub type Pair<T> = (T, T);
pub static NAME: &str = "n";
"#;

fn fixture() -> Fixture {
    Fixture::new(
        "fixture",
        &[
            ("src/lib.rs", LIB),
            ("src/hidden.rs", HIDDEN),
            ("src/inner.rs", INNER),
            ("src/inner/deeper.rs", "pub struct Deeper;\nuse super::*;\n"),
            ("src/outer/mod.rs", OUTER),
            ("src/outer/chain.rs", CHAIN),
            ("src/elsewhere/renamed.rs", "pub fn via_path() {}"),
        ],
    )
}

/// The whole listing of the fixture, so that every rule shows at once.
#[test]
fn public_api_lists_the_fixture() {
    let expected = "\
impl Clone for fixture::Visible
impl Debug for fixture::Visible
impl PartialEq for fixture::types::Kind
impl Serialize for fixture::Visible
impl fixture::Shape for fixture::Visible
impl fmt::Display for fixture::Alias
impl<'a, T: Clone> Clone for fixture::outer::chain::Link<'a, T>
impl<'a> From<&'a str> for fixture::Alias
pub async fn fixture::Visible::fetch<'a>(&'a mut self, s: &'a str) -> Result<(), String>
pub const fixture::LIMIT: u32
pub const fixture::Shape::SIDES: u8
pub const fixture::Visible::MAX: usize
pub enum fixture::types::Kind
pub fixture::Alias::0: String
pub fixture::Visible::id: u64
pub fixture::Visible::name: Option<String>
pub fixture::outer::chain::Link::value: &'a T
pub fixture::types::Kind::A
pub fixture::types::Kind::B(String)
#[non_exhaustive] pub fixture::types::Kind::C { .. }
pub fixture::types::Kind::C::x: u8
pub fn fixture::Shape::area(&self) -> f64
pub fn fixture::Visible::new() -> Self
pub fn fixture::free<T: Clone>(x: &'static str, y: Option<u64>) -> Vec<T> where T: Default
pub fn fixture::outer::inline::f()
pub fn fixture::pathed::via_path()
pub mod fixture
pub mod fixture::deeper
pub mod fixture::outer
pub mod fixture::outer::chain
pub mod fixture::outer::inline
pub mod fixture::pathed
pub mod fixture::types
pub static fixture::outer::chain::NAME: &str
pub struct fixture::Alias
pub struct fixture::Globbed
#[non_exhaustive] pub struct fixture::Visible
pub struct fixture::deeper::Deeper
pub struct fixture::outer::chain::Link<'a, T: Clone>
pub trait fixture::Shape: Clone + Send
pub type fixture::Shape::Unit
pub type fixture::outer::chain::Pair<T> = (T, T)
pub use fixture::Ext = other_crate::thing::Ext
pub use fixture::Ext3 = other_crate::thing::Ext2
";
    let actual = fixture().render(&[]);
    if actual != expected {
        let diff = similar::TextDiff::from_lines(expected, actual.as_str());
        panic!("listing differs:\n{}", diff.unified_diff());
    }
}

#[test]
fn public_api_hides_what_is_not_reachable() {
    let listing = fixture().render(&[]);
    for hidden in [
        "CrateOnly",
        "TestOnly",
        "test_helper",
        "NotReExported",
        "hidden_method",
        "internal",
        "private",
        "secret",
        "not_public",
        "Buried",
        "::g(",
        "Renamed",
        "fixture::hidden",
        "fixture::inner",
    ] {
        assert!(!listing.contains(hidden), "{hidden} is listed:\n{listing}");
    }
}

#[test]
fn public_api_overrides_replace_files_and_add_missing_ones() {
    let fixture = fixture();
    let listing = fixture.render(&[("src/outer/chain.rs", "pub struct Replaced;")]);
    assert!(listing.contains("pub struct fixture::outer::chain::Replaced\n"));
    assert!(!listing.contains("Link"));

    // What codegen does: list a crate whose generated file is not written yet.
    let raw = Fixture::new(
        "raw",
        &[("src/lib.rs", "mod generated;\npub use generated::*;\n")],
    );
    let generated = "pub mod types { pub struct T; }\npub struct Client;\nimpl Client { pub fn new() -> Self { Client } }\n";
    let listing = raw.render(&[("src/generated.rs", generated)]);
    assert_eq!(
        listing,
        "pub fn fixture::Client::new() -> Self\npub mod fixture\npub mod fixture::types\n\
         pub struct fixture::Client\npub struct fixture::types::T\n"
    );
    let missing = render(raw.dir.path(), "fixture", &[]).unwrap_err();
    assert!(format!("{missing:#}").contains("generated"), "{missing:#}");
}

#[test]
fn public_api_lists_a_second_path_as_a_reexport() {
    let fixture = Fixture::new(
        "prelude",
        &[(
            "src/lib.rs",
            "pub struct Client;\npub mod prelude { pub use self::super::Client; }\n",
        )],
    );
    let listing = fixture.render(&[]);
    assert!(
        listing.contains("pub struct fixture::Client\n"),
        "{listing}"
    );
    assert!(listing.contains("pub use fixture::prelude::Client = fixture::Client\n"));
}

/// Glob imports that reach each other (and a lookup through them) end.
#[test]
fn public_api_survives_glob_cycles() {
    let lib = "pub mod a { pub use super::*; pub use crate::b::*; }\n\
               pub mod b { pub use super::*; pub use crate::a::*; pub struct S; }\n\
               pub use a::*;\nimpl Missing for S {}\n";
    let fixture = Fixture::new("cycle", &[("src/lib.rs", lib)]);
    let listing = fixture.render(&[]);
    // `pub use a::*` reaches `b::S` through `a`'s glob of `b`, so its shortest path is the root.
    assert!(listing.contains("pub struct fixture::S\n"), "{listing}");
    assert!(
        listing.contains("pub use fixture::b::S = fixture::S\n"),
        "{listing}"
    );
    assert!(
        listing.contains("impl Missing for fixture::S\n"),
        "{listing}"
    );
}

#[test]
fn public_api_tidies_token_spacing() {
    let ty: syn::Type = syn::parse_quote!(
        ::std::result::Result<::std::vec::Vec<(&'a mut [u8], Option<Box<dyn Fn(u64) + Send>>,)>, E>
    );
    assert_eq!(
        tokens::tidy(&ty),
        "std::result::Result<Vec<(&'a mut [u8], Option<Box<dyn Fn(u64) + Send>>,)>, E>"
    );
    let ty: syn::Type = syn::parse_quote!(impl Stream<Item = Result<FileObject>> + Send + 'static);
    assert_eq!(
        tokens::tidy(&ty),
        "impl Stream<Item = Result<FileObject>> + Send + 'static"
    );
}

/// The workspace's own library crates render, and a few lines are known.
#[test]
fn public_api_renders_the_workspace_crates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let files = listings(&root).unwrap();
    let text = |name: &str| {
        let file = files.iter().find(|f| f.path.starts_with(name)).unwrap();
        assert!(file.contents.starts_with(HEADER));
        file.contents.clone()
    };
    let ergonomic = text("crates/mistral-files/");
    for line in [
        "pub fn mistral_files::Client::from_env() -> Result<Self>",
        "pub fn mistral_files::Client::list(&self) -> ListRequest",
        "#[non_exhaustive] pub struct mistral_files::FileObject",
        "pub mistral_files::FileObject::bytes: Option<u64>",
        "impl Debug for mistral_files::FileObject",
        "impl mistral_files::IntoFileId for &str",
        "pub use mistral_files::FilePurpose = mistral_files_raw::open_enums::FilePurpose",
    ] {
        assert!(
            ergonomic.contains(&format!("\n{line}\n")),
            "missing: {line}"
        );
    }
    let raw = text("crates/mistral-files-raw/");
    for line in [
        "pub struct mistral_files_raw::Client",
        "pub mod mistral_files_raw::types",
        "pub mod mistral_files_raw::open_enums",
        "pub use mistral_files_raw::prelude::Client = mistral_files_raw::Client",
        "pub mistral_files_raw::open_enums::FilePurpose::Unknown(String)",
    ] {
        assert!(raw.contains(&format!("\n{line}\n")), "missing: {line}");
    }
}
