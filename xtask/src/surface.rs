//! A readable listing of the generated client's public surface, for snapshot review.
//!
//! It shows what a reviewer of a regeneration cares about and nothing else: each operation
//! (HTTP method and path, parameters with their Rust types, what `send()` returns), each
//! type with its fields, serde names and Rust types, each enum's variants. A one-field change
//! in the spec shows up as a one- or two-line change here.

use anyhow::{Context, Result};
use quote::ToTokens;
use std::fmt::Write;
use syn::visit::Visit;

/// Renders the surface of a generated file.
pub fn render(generated_rs: &str) -> Result<String> {
    let file = syn::parse_file(generated_rs).context("parsing the generated file")?;
    let mut out = String::new();
    let builders = module_items(&file, "builder");

    writeln!(out, "# Operations (Client methods; builder setters; send)")?;
    let mut ops: Vec<(String, String)> = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || tidy(&imp.self_ty.to_token_stream().to_string()) != "Client" {
            continue;
        }
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let name = f.sig.ident.to_string();
            let ret = match &f.sig.output {
                syn::ReturnType::Type(_, t) => tidy(&t.to_token_stream().to_string()),
                syn::ReturnType::Default => "()".into(),
            };
            let mut text = String::new();
            match ret.strip_prefix("builder::") {
                Some(builder) => {
                    let builder = builder.split('<').next().unwrap_or("");
                    writeln!(text, "\nClient::{name}()")?;
                    text.push_str(&describe_builder(&builders, builder)?);
                }
                None => {
                    let args: Vec<String> = f
                        .sig
                        .inputs
                        .iter()
                        .map(|a| tidy(&a.to_token_stream().to_string()))
                        .collect();
                    writeln!(text, "\nClient::{name}({}) -> {ret}", args.join(", "))?;
                }
            }
            ops.push((name, text));
        }
    }
    ops.sort();
    for (_, text) in ops {
        out.push_str(&text);
    }

    writeln!(out, "\n# Types")?;
    let mut types: Vec<(String, String)> = Vec::new();
    for item in module_items(&file, "types") {
        if let Some(entry) = describe_type(item, "types")? {
            types.push(entry);
        }
    }
    for item in module_items(&file, crate::open_enums::MODULE) {
        if let Some(entry) = describe_type(item, crate::open_enums::MODULE)? {
            types.push(entry);
        }
    }
    types.sort();
    for (_, text) in types {
        out.push_str(&text);
    }
    Ok(out)
}

/// Names of the structs and enums directly inside the generated `types` module.
pub fn top_level_type_names(file: &syn::File) -> Vec<String> {
    module_items(file, "types")
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

fn module_items<'a>(file: &'a syn::File, name: &str) -> Vec<&'a syn::Item> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .flatten()
        .collect()
}

fn describe_builder(builders: &[&syn::Item], name: &str) -> Result<String> {
    let mut out = String::new();
    for item in builders {
        match item {
            syn::Item::Struct(s) if s.ident == name => {
                for field in &s.fields {
                    let Some(ident) = &field.ident else { continue };
                    if ident == "client" {
                        continue;
                    }
                    let ty = tidy(&field.ty.to_token_stream().to_string());
                    let inner = ty
                        .strip_prefix("Result<")
                        .and_then(|t| t.strip_suffix(", String>"))
                        .unwrap_or(&ty);
                    let (inner, required) = match inner.strip_prefix("Option<") {
                        Some(rest) => (rest.strip_suffix('>').unwrap_or(rest), "optional"),
                        None => (inner, "required"),
                    };
                    writeln!(out, "  .{ident}({inner})  {required}")?;
                }
            }
            syn::Item::Impl(imp)
                if tidy(&imp.self_ty.to_token_stream().to_string())
                    .starts_with(&format!("{name}<")) =>
            {
                for it in &imp.items {
                    let syn::ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident != "send" {
                        continue;
                    }
                    let mut finder = RequestFinder::default();
                    finder.visit_block(&f.block);
                    let ret = match &f.sig.output {
                        syn::ReturnType::Type(_, t) => tidy(&t.to_token_stream().to_string()),
                        syn::ReturnType::Default => "()".into(),
                    };
                    writeln!(
                        out,
                        "  .send() -> {ret}\n  request: {} {}",
                        finder.method.as_deref().unwrap_or("?").to_uppercase(),
                        finder.path.as_deref().unwrap_or("?")
                    )?;
                    if !finder.query.is_empty() {
                        writeln!(out, "  query: {}", finder.query.join(", "))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Finds the URL template, the HTTP method and the query keys in a `send()` body.
#[derive(Default)]
struct RequestFinder {
    path: Option<String>,
    method: Option<String>,
    query: Vec<String>,
}

impl<'ast> Visit<'ast> for RequestFinder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.is_ident("format") && self.path.is_none() {
            if let Ok(lit) = mac.parse_body_with(|input: syn::parse::ParseStream| {
                let lit: syn::LitStr = input.parse()?;
                let _: proc_macro2::TokenStream = input.parse()?;
                Ok(lit)
            }) {
                let template = lit.value();
                if let Some(path) = template.strip_prefix("{}") {
                    self.path = Some(path.to_string());
                }
            }
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if matches!(
            name.as_str(),
            "get" | "post" | "put" | "patch" | "delete" | "head"
        ) && self.method.is_none()
        {
            self.method = Some(name.clone());
        }
        if name == "query" {
            if let Some(syn::Expr::Reference(r)) = call.args.first() {
                if let syn::Expr::Call(c) = &*r.expr {
                    if let Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    })) = c.args.first()
                    {
                        self.query.push(s.value());
                    }
                }
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

fn describe_type(item: &syn::Item, module: &str) -> Result<Option<(String, String)>> {
    let mut out = String::new();
    match item {
        syn::Item::Struct(s) => {
            let name = s.ident.to_string();
            let serde = serde_attrs(&s.attrs);
            writeln!(out, "\nstruct {module}::{name}{}", suffix(&serde))?;
            for field in &s.fields {
                let ident = field
                    .ident
                    .as_ref()
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "0".into());
                let ty = tidy(&field.ty.to_token_stream().to_string());
                let attrs = serde_attrs(&field.attrs);
                writeln!(out, "  {ident}: {ty}{}", suffix(&attrs))?;
            }
            Ok(Some((name, out)))
        }
        syn::Item::Enum(e) => {
            let name = e.ident.to_string();
            let serde = serde_attrs(&e.attrs);
            writeln!(out, "\nenum {module}::{name}{}", suffix(&serde))?;
            for v in &e.variants {
                let fields = match &v.fields {
                    syn::Fields::Unit => String::new(),
                    other => tidy(&other.to_token_stream().to_string()),
                };
                let attrs = serde_attrs(&v.attrs);
                // Open enums document each variant's wire value as `value`.
                let wire = if module == crate::open_enums::MODULE {
                    wire_value(&v.attrs)
                } else {
                    None
                };
                let wire = wire.map(|w| format!(" = {w:?}")).unwrap_or_default();
                writeln!(out, "  {}{fields}{wire}{}", v.ident, suffix(&attrs))?;
            }
            Ok(Some((name, out)))
        }
        _ => Ok(None),
    }
}

/// The `value` in a variant's doc comment of the form `` `value` ``.
fn wire_value(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => {
                let text = s.value();
                let text = text.trim();
                text.strip_prefix('`')?
                    .strip_suffix('`')
                    .map(str::to_string)
            }
            _ => None,
        },
        _ => None,
    })
}

/// The serde attributes that change the wire format, rendered compactly.
fn serde_attrs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .filter_map(|a| match &a.meta {
            syn::Meta::List(list) => Some(tidy(&list.tokens.to_string())),
            _ => None,
        })
        .collect()
}

fn suffix(attrs: &[String]) -> String {
    if attrs.is_empty() {
        String::new()
    } else {
        format!("  #[serde({})]", attrs.join(", "))
    }
}

/// Turns `quote`'s spaced token text into how a person writes Rust types.
fn tidy(tokens: &str) -> String {
    let mut s = tokens.to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" > ", ">"),
        (" >", ">"),
        (" , ", ", "),
        (" ,", ","),
        ("& '", "&'"),
        (" : ", ": "),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    let s = s
        .trim_start_matches("::")
        .replace("(::", "(")
        .replace("<::", "<");
    // Prelude paths add noise, not information.
    let mut s = s.replace("\"::", "\"").replace(",>", ">");
    for prefix in [
        "std::option::",
        "std::string::",
        "std::vec::",
        "std::boxed::",
    ] {
        s = s.replace(prefix, "");
    }
    s
}
