//! `cargo xtask codegen`: spec + overlay -> normalized 3.0 document -> progenitor ->
//! formatted `crates/mistral-files-raw/src/generated.rs`.
//!
//! Every progenitor setting lives in [`settings`]. Output is formatted by prettyplease alone
//! (its version pinned in `Cargo.lock`), so the bytes are the same on every machine whatever
//! its `rustfmt`, and `--check` can compare exactly. The raw crate marks `mod generated` with
//! `#[rustfmt::skip]`: rustfmt would re-indent the generated doc comments (turning their
//! code fences into indented code blocks that rustdoc then compiles).

mod drift;
pub mod header;

pub use drift::{check, ensure, write, Drift};

use crate::{doc, open_enums, sha256_hex};
use anyhow::{anyhow, Context, Result};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::{format_ident, quote};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::inputs::{Inputs, DOCS, GENERATED_RS, OVERLAY, SPEC};
/// The normalized OpenAPI 3.0.3 document progenitor reads (committed for review).
pub const NORMALIZED: &str = "openapi/generated/mistral-files.openapi-3.0.json";
/// The command that regenerates everything.
pub const COMMAND: &str = "cargo xtask codegen";
/// The progenitor version the settings are written for (pinned in the workspace Cargo.toml).
pub const PROGENITOR_VERSION: &str = "0.15.1";

pub use crate::GeneratedFile;

/// All progenitor settings, in one place.
///
/// - Builder interface, one merged `Client` (the API has one tag).
/// - No extra derives here: `schemars::JsonSchema` is added after generation, behind the raw
///   crate's `schemars` feature (see `gate_features`), so users who do not ask for schemas do
///   not build schemars.
/// - Inner type `crate::ClientContext` and `HooksMode::Expected`: the raw crate implements
///   `ClientHooks` by hand (`hooks.rs`) to add the API key to each request (so a caller's own
///   `reqwest::Client` works) and to record each response's status and headers.
/// - Every spec string enum is replaced by our open enum (see [`open_enums`]).
/// - The timeout only affects progenitor's `Client::new` (15 s total by default); the
///   ergonomic crate always passes its own `reqwest::Client` to `new_with_client`.
pub fn settings(enums: &[open_enums::OpenEnum]) -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::ClientContext))
        .with_hooks(HooksMode::Expected);
    for e in enums {
        settings.with_replacement(
            &e.name,
            e.rust_path(),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    settings
}

/// Spec + overlay + our doc text -> the normalized OpenAPI 3.0.3 document (without the
/// `x-generated` provenance block).
pub fn normalized_document(inputs: &Inputs) -> Result<Value> {
    Ok(crate::inputs::normalized(inputs)?.effective)
}

/// Entries of `openapi/docs.yaml` that match nothing (see [`crate::prose::apply_docs`]).
pub fn doc_notes(inputs: &Inputs) -> Result<Vec<String>> {
    Ok(crate::inputs::normalized(inputs)?.doc_notes)
}

/// [`generate`], plus the raw crate's public API listing of the new code (the rest of the
/// crate read from below `root`).
pub fn generate_all(root: &Path, inputs: &Inputs) -> Result<Vec<GeneratedFile>> {
    let mut files = generate(inputs)?;
    let rs = GeneratedFile::find(&files, GENERATED_RS)
        .unwrap_or_default()
        .to_string();
    let (dir, name) = crate::public_api::CRATES
        .iter()
        .find(|(_, name)| *name == "mistral_files_raw")
        .expect("the raw crate is listed");
    let rel = GENERATED_RS
        .strip_prefix(&format!("{dir}/"))
        .expect("generated.rs lives in the raw crate");
    let body = crate::public_api::render(&root.join(dir), name, &[(rel, &rs)])?;
    files.push(GeneratedFile {
        path: Path::new(dir).join(crate::public_api::LISTING),
        contents: format!("{}{body}", crate::public_api::HEADER),
    });
    Ok(files)
}

/// Runs the whole pipeline in memory and returns every generated file (the spec-derived ones;
/// see [`generate_all`] for the public API listing too).
pub fn generate(inputs: &Inputs) -> Result<Vec<GeneratedFile>> {
    let spec_sha = sha256_hex(inputs.spec.as_bytes());
    let overlay_sha = sha256_hex(inputs.overlay.as_bytes());
    let docs_sha = sha256_hex(inputs.docs.as_bytes());

    let mut normalized = normalized_document(inputs)?;
    if let Some(map) = normalized.as_object_mut() {
        map.insert(
            "x-generated".into(),
            json!({
                "by": COMMAND,
                "from": {
                    SPEC: format!("sha256:{spec_sha}"),
                    OVERLAY: format!("sha256:{overlay_sha}"),
                    DOCS: format!("sha256:{docs_sha}"),
                },
                "note": "Normalized OpenAPI 3.0.3 for progenitor. Do not edit; regenerate."
            }),
        );
    }
    let normalized_text = doc::to_pretty_json(&normalized)?;

    let (mut progenitor_input, left_out) = without_multipart_operations(&normalized);
    crate::error_responses::merge(&mut progenitor_input);
    let enums = open_enums::find(&normalized);
    let tokens = run_progenitor(&progenitor_input, &enums)?;
    let mut progenitor_file: syn::File =
        syn::parse2(tokens).context("progenitor produced code syn cannot parse")?;
    let type_names = gate_features(&mut progenitor_file);
    let enums_code = open_enums::emit(&enums)?;
    let registry = schema_registry(&type_names, &enums);
    let file: syn::File = syn::parse2(quote! { #progenitor_file #enums_code #registry })?;
    let formatted = prettyplease::unparse(&file);

    let header =
        format!(
        "// @generated by `{COMMAND}`. DO NOT EDIT: change openapi/ (the overlay, names.yaml,\n\
         // docs.yaml; the spec through `cargo xtask import`) or the settings in\n\
         // xtask/src/codegen/mod.rs, then run `{COMMAND}`.\n\
         //\n\
         // spec: {SPEC} sha256:{spec_sha}\n\
         // overlay: {OVERLAY} sha256:{overlay_sha}\n\
         // docs: {DOCS} sha256:{docs_sha}\n\
         // generator: progenitor {PROGENITOR_VERSION} on {NORMALIZED}\n\
         // left out (written by hand in the ergonomic crate): {}\n\n",
        if left_out.is_empty() { "none".to_string() } else { left_out.join(", ") }
    );
    Ok(vec![
        GeneratedFile {
            path: NORMALIZED.into(),
            contents: normalized_text,
        },
        GeneratedFile {
            path: GENERATED_RS.into(),
            contents: header + &formatted,
        },
    ])
}

/// progenitor on the prepared document. A panic inside progenitor (it asserts on shapes it
/// does not support) becomes an error that names the operation: each operation is then
/// generated alone until the one that panics is found.
pub fn run_progenitor(
    doc: &Value,
    enums: &[open_enums::OpenEnum],
) -> Result<proc_macro2::TokenStream> {
    match generate_quietly(doc, enums) {
        Ok(result) => result,
        Err(panic) => {
            let culprit = operation_ids(doc)
                .into_iter()
                .find(|id| generate_quietly(&only_operation(doc, id), enums).is_err());
            let culprit = culprit.map_or_else(
                || "no single operation (the schemas alone)".to_string(),
                |id| format!("operation {id}"),
            );
            Err(anyhow!(
                "progenitor {PROGENITOR_VERSION} panicked on {culprit}: {panic}; correct the shape it cannot take in openapi/overlay.yaml, or extend xtask/src/error_responses.rs if it is an error response"
            ))
        }
    }
}

/// Runs progenitor with the panic caught (and the panic message kept off stderr).
fn generate_quietly(
    doc: &Value,
    enums: &[open_enums::OpenEnum],
) -> std::result::Result<Result<proc_macro2::TokenStream>, String> {
    let spec: openapiv3::OpenAPI = match serde_json::from_value(doc.clone()) {
        Ok(spec) => spec,
        Err(e) => {
            return Ok(Err(anyhow!(
                "the normalized document is not OpenAPI 3.0 as openapiv3 reads it: {e}"
            )))
        }
    };
    quiet_panics::catch(|| {
        let mut generator = Generator::new(&settings(enums));
        generator
            .generate_tokens(&spec)
            .map_err(|e| anyhow!("progenitor failed: {e}"))
    })
}

/// Catching a panic without its message on stderr, safely from several threads: one process
/// hook, installed once, keeps the message of a panic on a thread that asked for it and passes
/// every other panic to the hook that was there before.
mod quiet_panics {
    use std::cell::RefCell;
    use std::sync::Once;

    thread_local! {
        static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Runs `f`; a panic becomes `Err(its message)`.
    pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let kept = CAUGHT.with(|c| match c.borrow_mut().as_mut() {
                    Some(slot) => {
                        *slot = info.to_string();
                        true
                    }
                    None => false,
                });
                if !kept {
                    previous(info);
                }
            }));
        });
        CAUGHT.with(|c| *c.borrow_mut() = Some(String::new()));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let message = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_default();
        result.map_err(|_| message)
    }
}

fn operation_ids(doc: &Value) -> Vec<String> {
    let paths = doc.get("paths").and_then(Value::as_object);
    paths
        .into_iter()
        .flatten()
        .filter_map(|(_, item)| item.as_object())
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// `doc` with every operation but `id` removed.
fn only_operation(doc: &Value, id: &str) -> Value {
    retain_operations(doc, |op| {
        op.get("operationId").and_then(Value::as_str) == Some(id)
    })
}

/// `doc` with only the operations `keep` accepts, and without the paths left empty.
fn retain_operations(doc: &Value, mut keep: impl FnMut(&Value) -> bool) -> Value {
    let mut out = doc.clone();
    if let Some(paths) = out.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.retain(|_, op| keep(op));
        }
        paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    }
    out
}

/// The raw crate's features and evolution rules, on the generated code; returns the names of
/// the structs and enums of `mod types`.
///
/// - every type of `mod types` is `#[non_exhaustive]`, so that a field or variant added
///   upstream is an additive change (users build values through the generated `builder`s);
/// - `client`: every top-level item progenitor emits besides `mod types` (the `Client`, its
///   operations, the request builders, the `progenitor_client` imports) is
///   `#[cfg(feature = "client")]`, so the types build without reqwest or progenitor-client;
/// - `schemars`: every type of `mod types` gets
///   `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`, right after its derive.
fn gate_features(file: &mut syn::File) -> Vec<String> {
    let client: syn::Attribute = syn::parse_quote!(#[cfg(feature = "client")]);
    let schema: syn::Attribute =
        syn::parse_quote!(#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]);
    let mut names = Vec::new();
    for item in &mut file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                let items = m.content.iter_mut().flat_map(|(_, items)| items.iter_mut());
                for item in items {
                    let (name, attrs) = match item {
                        syn::Item::Struct(s) => (&s.ident, &mut s.attrs),
                        syn::Item::Enum(e) => (&e.ident, &mut e.attrs),
                        _ => continue,
                    };
                    names.push(name.to_string());
                    attrs.push(syn::parse_quote!(#[non_exhaustive]));
                    let at = attrs
                        .iter()
                        .position(|a| a.path().is_ident("derive"))
                        .map_or(0, |i| i + 1);
                    attrs.insert(at, schema.clone());
                }
            }
            syn::Item::Use(u) => u.attrs.insert(0, client.clone()),
            syn::Item::Struct(s) => s.attrs.insert(0, client.clone()),
            syn::Item::Impl(i) => i.attrs.insert(0, client.clone()),
            syn::Item::Const(c) => c.attrs.insert(0, client.clone()),
            syn::Item::Mod(m) => m.attrs.insert(0, client.clone()),
            syn::Item::Fn(f) => f.attrs.insert(0, client.clone()),
            other => panic!(
                "progenitor emitted a top-level item gate_features does not know: {}",
                quote!(#other)
            ),
        }
    }
    names
}

/// Removes operations progenitor cannot generate (multipart/form-data bodies); their
/// schemas stay. Returns the document and the operationIds left out.
fn without_multipart_operations(doc: &Value) -> (Value, Vec<String>) {
    let mut left_out = Vec::new();
    let out = retain_operations(doc, |op| {
        let multipart = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .is_some_and(|c| c.keys().any(|k| k.starts_with("multipart/")));
        if multipart {
            left_out.extend(
                op.get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
        }
        !multipart
    });
    left_out.sort();
    (out, left_out)
}

/// `json_schemas()`: every generated type's JSON schema, by name.
fn schema_registry(
    type_names: &[String],
    enums: &[open_enums::OpenEnum],
) -> proc_macro2::TokenStream {
    let path = |module: &str, name: &str| {
        let (module, ident) = (format_ident!("{module}"), format_ident!("{name}"));
        (name.to_string(), quote!(#module::#ident))
    };
    // Sorted by name; a type progenitor generated wins over an open enum of the same name.
    let enums = enums.iter().map(|e| path(open_enums::MODULE, &e.name));
    let types = type_names.iter().map(|n| path("types", n));
    let entries: BTreeMap<_, _> = enums.chain(types).collect();
    let (names, paths) = (entries.keys(), entries.values());
    quote! {
        /// The JSON schema of every generated type, by type name, sorted.
        #[cfg(feature = "schemars")]
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::schema::RootSchema)> {
            ::std::vec![#((#names, ::schemars::schema_for!(#paths)),)*]
        }
    }
}
