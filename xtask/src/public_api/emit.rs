//! The listing's lines: one per public item, field, variant, method and trait impl.
//!
//! Items are named by their public path (from [`super::resolve::PublicPaths`]); the types in
//! their signatures are printed as written in the source (tidied), since resolving every type
//! would need the whole compiler and a reviewer reads them fine as they are.

use super::load::{is_test_only, Crate, ModId};
use super::resolve::{Def, PublicPaths, Resolver};
use super::tokens::tidy;
use std::collections::BTreeSet;

/// Every line of the listing, unsorted but without duplicates.
pub(super) fn lines(krate: &Crate, res: &Resolver, paths: &PublicPaths) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = paths.reexports.iter().cloned().collect();
    for (def, path) in &paths.canonical {
        match def {
            Def::Module(_) => {
                out.insert(format!("pub mod {path}"));
            }
            Def::Item(m, i) => item_lines(&krate.modules[*m].items[*i], path, &mut out),
            Def::External(_) => {}
        }
    }
    let impls = Impls { res, paths };
    for (m, module) in krate.modules.iter().enumerate() {
        for item in &module.items {
            if let syn::Item::Impl(imp) = item {
                impls.lines(m, imp, &mut out);
            }
        }
    }
    out
}

/// The lines of one public item at `path`.
fn item_lines(item: &syn::Item, path: &str, out: &mut BTreeSet<String>) {
    match item {
        syn::Item::Struct(s) => {
            let (g, attrs) = (&s.generics, &s.attrs);
            out.insert(format!(
                "{}pub struct {path}{}{}",
                marker(attrs),
                params(g),
                where_(g)
            ));
            field_lines(&s.fields, path, out);
            derive_lines(attrs, g, path, out);
        }
        syn::Item::Union(u) => {
            let g = &u.generics;
            out.insert(format!("pub union {path}{}{}", params(g), where_(g)));
            field_lines(&syn::Fields::Named(u.fields.clone()), path, out);
            derive_lines(&u.attrs, g, path, out);
        }
        syn::Item::Enum(e) => {
            let (g, attrs) = (&e.generics, &e.attrs);
            out.insert(format!(
                "{}pub enum {path}{}{}",
                marker(attrs),
                params(g),
                where_(g)
            ));
            for v in e.variants.iter().filter(|v| !is_test_only(&v.attrs)) {
                variant_lines(v, &format!("{path}::{}", v.ident), out);
            }
            derive_lines(attrs, g, path, out);
        }
        syn::Item::Fn(f) => {
            out.insert(format!("pub {}", signature(&f.sig, path)));
        }
        syn::Item::Const(c) => {
            out.insert(format!("pub const {path}: {}", tidy(&c.ty)));
        }
        syn::Item::Static(s) => {
            let mutability = match s.mutability {
                syn::StaticMutability::Mut(_) => "mut ",
                _ => "",
            };
            out.insert(format!("pub static {mutability}{path}: {}", tidy(&s.ty)));
        }
        syn::Item::Type(t) => {
            let g = &t.generics;
            out.insert(format!("pub type {path}{} = {}", params(g), tidy(&t.ty)));
        }
        syn::Item::Trait(t) => trait_lines(t, path, out),
        _ => {}
    }
}

/// `pub <path>::<field>: <type>` for each `pub` field (tuple fields as `::0`, `::1`, ...).
fn field_lines(fields: &syn::Fields, path: &str, out: &mut BTreeSet<String>) {
    for (index, field) in fields.iter().enumerate() {
        if !matches!(field.vis, syn::Visibility::Public(_)) || is_test_only(&field.attrs) {
            continue;
        }
        let name = field
            .ident
            .as_ref()
            .map_or(index.to_string(), |i| i.to_string());
        out.insert(format!("pub {path}::{name}: {}", tidy(&field.ty)));
    }
}

/// `pub Enum::Unit`, `pub Enum::Tuple(String)`, `pub Enum::Struct { .. }` and its fields.
fn variant_lines(v: &syn::Variant, path: &str, out: &mut BTreeSet<String>) {
    let shape = match &v.fields {
        syn::Fields::Unit => String::new(),
        syn::Fields::Unnamed(f) => {
            let types: Vec<String> = f.unnamed.iter().map(|f| tidy(&f.ty)).collect();
            format!("({})", types.join(", "))
        }
        syn::Fields::Named(f) => {
            for field in f.named.iter().filter(|f| !is_test_only(&f.attrs)) {
                let name = field
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                out.insert(format!("pub {path}::{name}: {}", tidy(&field.ty)));
            }
            " { .. }".to_string()
        }
    };
    let discriminant = v
        .discriminant
        .as_ref()
        .map(|(_, e)| format!(" = {}", tidy(e)));
    let discriminant = discriminant.unwrap_or_default();
    out.insert(format!(
        "{}pub {path}{shape}{discriminant}",
        marker(&v.attrs)
    ));
}

/// `pub trait` and each of its items (all public, like the trait).
fn trait_lines(t: &syn::ItemTrait, path: &str, out: &mut BTreeSet<String>) {
    let unsafety = if t.unsafety.is_some() { "unsafe " } else { "" };
    let supertraits = if t.supertraits.is_empty() {
        String::new()
    } else {
        format!(": {}", tidy(&t.supertraits))
    };
    let g = &t.generics;
    out.insert(format!(
        "pub {unsafety}trait {path}{}{supertraits}{}",
        params(g),
        where_(g)
    ));
    for item in &t.items {
        let line = match item {
            syn::TraitItem::Fn(f) if !is_test_only(&f.attrs) => {
                signature(&f.sig, &format!("{path}::{}", f.sig.ident))
            }
            syn::TraitItem::Const(c) if !is_test_only(&c.attrs) => {
                format!("const {path}::{}: {}", c.ident, tidy(&c.ty))
            }
            syn::TraitItem::Type(ty) if !is_test_only(&ty.attrs) => {
                let bounds = if ty.bounds.is_empty() {
                    String::new()
                } else {
                    format!(": {}", tidy(&ty.bounds))
                };
                format!("type {path}::{}{bounds}", ty.ident)
            }
            _ => continue,
        };
        out.insert(format!("pub {line}"));
    }
}

/// `impl Debug for <path>` for each `#[derive(Debug)]` (last path segment of each derive),
/// `#[cfg_attr(<cfg>, derive(..))]` included: like every other `cfg`, taken as enabled, so the
/// listing is the API with every feature on.
fn derive_lines(
    attrs: &[syn::Attribute],
    g: &syn::Generics,
    path: &str,
    out: &mut BTreeSet<String>,
) {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    let mut derives: Vec<syn::MetaList> = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("derive") {
            if let syn::Meta::List(list) = &attr.meta {
                derives.push(list.clone());
            }
        } else if attr.path().is_ident("cfg_attr") {
            let Ok(metas) = attr.parse_args_with(Metas::parse_terminated) else {
                continue;
            };
            derives.extend(metas.into_iter().skip(1).filter_map(|m| match m {
                syn::Meta::List(list) if list.path.is_ident("derive") => Some(list),
                _ => None,
            }));
        }
    }
    for list in derives {
        let Ok(derived) = list.parse_args_with(Paths::parse_terminated) else {
            continue;
        };
        for trait_path in derived {
            if let Some(last) = trait_path.segments.last() {
                let (params, args) = (params(g), args(g));
                out.insert(format!("impl{params} {} for {path}{args}", last.ident));
            }
        }
    }
}

/// Inherent methods and trait impls, for impls whose type (or trait) is public.
struct Impls<'a, 'c> {
    res: &'a Resolver<'c>,
    paths: &'a PublicPaths,
}

impl Impls<'_, '_> {
    fn lines(&self, m: ModId, imp: &syn::ItemImpl, out: &mut BTreeSet<String>) {
        let self_path = self.public_type(m, &imp.self_ty);
        let Some((bang, trait_path, _)) = &imp.trait_ else {
            if let Some(path) = self_path {
                // `Builder<'a>::new(client: &'a Client)`: the arguments give the names a meaning.
                let path = match &*imp.self_ty {
                    syn::Type::Path(p) => format!("{path}{}", last_args(&p.path)),
                    _ => path,
                };
                self.inherent_lines(imp, &path, out);
            }
            return;
        };
        let public_trait = self.public_path(m, trait_path);
        if self_path.is_none() && public_trait.is_none() {
            return; // a private type's impl of another crate's trait
        }
        let trait_text = match public_trait {
            Some(path) => format!("{path}{}", last_args(trait_path)),
            None => tidy(trait_path),
        };
        let bang = if bang.is_some() { "!" } else { "" };
        let g = &imp.generics;
        out.insert(format!(
            "impl{} {bang}{trait_text} for {}{}",
            params(g),
            self.type_text(m, &imp.self_ty),
            where_(g)
        ));
    }

    /// `pub fn Type::method(..)` and `pub const Type::NAME: T` of an inherent impl.
    fn inherent_lines(&self, imp: &syn::ItemImpl, path: &str, out: &mut BTreeSet<String>) {
        for item in &imp.items {
            match item {
                syn::ImplItem::Fn(f) if is_public(&f.vis, &f.attrs) => {
                    let name = format!("{path}::{}", f.sig.ident);
                    out.insert(format!("pub {}", signature(&f.sig, &name)));
                }
                syn::ImplItem::Const(c) if is_public(&c.vis, &c.attrs) => {
                    out.insert(format!("pub const {path}::{}: {}", c.ident, tidy(&c.ty)));
                }
                _ => {}
            }
        }
    }

    /// The public path of the type an impl is for, looking through `&`.
    fn public_type(&self, m: ModId, ty: &syn::Type) -> Option<String> {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => self.public_path(m, &p.path),
            syn::Type::Reference(r) => self.public_type(m, &r.elem),
            syn::Type::Paren(p) => self.public_type(m, &p.elem),
            _ => None,
        }
    }

    /// The public path of what `path` names in module `m`, if it is one of ours and public.
    fn public_path(&self, m: ModId, path: &syn::Path) -> Option<String> {
        let defs = self.res.resolve_path(m, path);
        defs.iter()
            .find_map(|def| self.paths.canonical.get(def).cloned())
    }

    /// The impl's type as written, with our own type's name replaced by its public path.
    fn type_text(&self, m: ModId, ty: &syn::Type) -> String {
        match ty {
            syn::Type::Reference(r) => {
                let lifetime = r
                    .lifetime
                    .as_ref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutability = if r.mutability.is_some() { "mut " } else { "" };
                format!("&{lifetime}{mutability}{}", self.type_text(m, &r.elem))
            }
            syn::Type::Path(p) if p.qself.is_none() => match self.public_path(m, &p.path) {
                Some(path) => format!("{path}{}", last_args(&p.path)),
                None => tidy(ty),
            },
            _ => tidy(ty),
        }
    }
}

/// `pub` and not test-only.
fn is_public(vis: &syn::Visibility, attrs: &[syn::Attribute]) -> bool {
    matches!(vis, syn::Visibility::Public(_)) && !is_test_only(attrs)
}

/// `#[non_exhaustive] ` when the item has the attribute: it limits what callers may do.
fn marker(attrs: &[syn::Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        "#[non_exhaustive] "
    } else {
        ""
    }
}

/// `[const ][async ][unsafe ][extern "C" ]fn <path><generics>(<args>)[ -> <ret>][ where ..]`.
fn signature(sig: &syn::Signature, path: &str) -> String {
    let mut s = String::new();
    for (present, word) in [
        (sig.constness.is_some(), "const "),
        (sig.asyncness.is_some(), "async "),
        (sig.unsafety.is_some(), "unsafe "),
    ] {
        if present {
            s.push_str(word);
        }
    }
    if let Some(abi) = &sig.abi {
        s.push_str(&format!("{} ", tidy(abi)));
    }
    let args: Vec<String> = sig.inputs.iter().map(argument).collect();
    s.push_str(&format!(
        "fn {path}{}({})",
        params(&sig.generics),
        args.join(", ")
    ));
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        s.push_str(&format!(" -> {}", tidy(ty)));
    }
    s + &where_(&sig.generics)
}

/// An argument without what only matters inside the body (`mut` bindings, attributes).
fn argument(arg: &syn::FnArg) -> String {
    match arg {
        syn::FnArg::Receiver(r) if r.colon_token.is_some() => format!("self: {}", tidy(&r.ty)),
        syn::FnArg::Receiver(r) => match &r.reference {
            Some((_, lifetime)) => {
                let lifetime = lifetime
                    .as_ref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let mutability = if r.mutability.is_some() { "mut " } else { "" };
                format!("&{lifetime}{mutability}self")
            }
            None => "self".to_string(),
        },
        syn::FnArg::Typed(t) => {
            let pattern = match &*t.pat {
                syn::Pat::Ident(p) => p.ident.to_string(),
                other => tidy(other),
            };
            format!("{pattern}: {}", tidy(&t.ty))
        }
    }
}

/// `<'a, T: Clone>`: the generic parameters as declared (empty when there are none).
fn params(g: &syn::Generics) -> String {
    if g.params.is_empty() {
        String::new()
    } else {
        format!("<{}>", tidy(&g.params))
    }
}

/// `<'a, T>`: the generic parameters as arguments, for naming the type in a derived impl.
fn args(g: &syn::Generics) -> String {
    let names: Vec<String> = g
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("<{}>", names.join(", "))
    }
}

/// ` where T: Clone` (empty when there is no where clause).
fn where_(g: &syn::Generics) -> String {
    g.where_clause
        .as_ref()
        .map(|w| format!(" {}", tidy(w)))
        .unwrap_or_default()
}

/// The generic arguments of a path's last segment (`<'a>` of `ListRequest<'a>`).
fn last_args(path: &syn::Path) -> String {
    match path.segments.last().map(|s| &s.arguments) {
        Some(syn::PathArguments::None) | None => String::new(),
        Some(arguments) => tidy(arguments),
    }
}
