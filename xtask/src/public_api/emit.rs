//! The listing's lines: one per public item, field, variant, method and trait impl.
//!
//! Items are named by their public path (from [`super::resolve::PublicPaths`]); the types in
//! their signatures are printed as written in the source (tidied), since resolving every type
//! would need the whole compiler and a reviewer reads them fine as they are.

use super::load::{is_pub, is_test_only, Crate, ModId};
use super::resolve::{Def, PublicPaths, Resolver};
use super::tokens::tidy;
use quote::{quote, ToTokens};
use std::collections::BTreeSet;
use syn::punctuated::Punctuated;

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
    let line = match item {
        syn::Item::Struct(s) => {
            field_lines(&s.fields, path, false, out);
            return type_lines("struct", &s.attrs, &s.generics, path, out);
        }
        syn::Item::Union(u) => {
            field_lines(&u.fields.named, path, false, out);
            return type_lines("union", &u.attrs, &u.generics, path, out);
        }
        syn::Item::Enum(e) => {
            for v in e.variants.iter().filter(|v| !is_test_only(&v.attrs)) {
                variant_lines(v, &format!("{path}::{}", v.ident), out);
            }
            return type_lines("enum", &e.attrs, &e.generics, path, out);
        }
        syn::Item::Fn(f) => signature(&f.sig, path),
        syn::Item::Const(c) => format!("const {path}: {}", tidy(&c.ty)),
        syn::Item::Static(syn::ItemStatic { mutability, ty, .. }) => {
            format!("{} {path}: {}", tidy(&quote!(static #mutability)), tidy(ty))
        }
        syn::Item::Type(t) => format!("type {path}{} = {}", tidy(&t.generics), tidy(&t.ty)),
        syn::Item::Trait(t) => return trait_lines(t, path, out),
        _ => return,
    };
    out.insert(format!("pub {line}"));
}

/// `pub struct`, `pub enum` or `pub union` with its generics, and an `impl` line for each trait
/// it derives.
fn type_lines(
    kind: &str,
    attrs: &[syn::Attribute],
    g: &syn::Generics,
    path: &str,
    out: &mut BTreeSet<String>,
) {
    let (params, args) = (tidy(g), tidy(&g.split_for_impl().1));
    out.insert(format!(
        "{}pub {kind} {path}{params}{}",
        marker(attrs),
        where_(g)
    ));
    for name in derives(attrs) {
        out.insert(format!("impl{params} {name} for {path}{args}"));
    }
}

/// `pub <path>::<field>: <type>` for each public field (tuple fields as `::0`, `::1`, ...); an
/// enum variant's fields are all public, like the enum.
fn field_lines<'f>(
    fields: impl IntoIterator<Item = &'f syn::Field>,
    path: &str,
    in_variant: bool,
    out: &mut BTreeSet<String>,
) {
    for (index, field) in fields.into_iter().enumerate() {
        if !(in_variant || is_pub(&field.vis)) || is_test_only(&field.attrs) {
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
            field_lines(&f.named, path, true, out);
            " { .. }".to_string()
        }
    };
    let discriminant = after(" = ", &v.discriminant.as_ref().map(|(_, e)| e));
    out.insert(format!(
        "{}pub {path}{shape}{discriminant}",
        marker(&v.attrs)
    ));
}

/// `pub trait` and each of its items (all public, like the trait).
fn trait_lines(t: &syn::ItemTrait, path: &str, out: &mut BTreeSet<String>) {
    let (unsafety, g) = (&t.unsafety, &t.generics);
    out.insert(format!(
        "pub {} {path}{}{}{}",
        tidy(&quote!(#unsafety trait)),
        tidy(g),
        after(": ", &t.supertraits),
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
                format!("type {path}::{}{}", ty.ident, after(": ", &ty.bounds))
            }
            _ => continue,
        };
        out.insert(format!("pub {line}"));
    }
}

/// The last path segment of each trait in `#[derive(..)]`, `#[cfg_attr(<cfg>, derive(..))]`
/// included: like every other `cfg`, taken as enabled, so the listing is the API with every
/// feature on.
fn derives(attrs: &[syn::Attribute]) -> Vec<syn::Ident> {
    type List<T> = Punctuated<T, syn::Token![,]>;
    let metas = attrs.iter().flat_map(|attr| {
        if !attr.path().is_ident("cfg_attr") {
            return vec![attr.meta.clone()];
        }
        let metas = attr.parse_args_with(List::<syn::Meta>::parse_terminated);
        metas.map_or(Vec::new(), |m| m.into_iter().skip(1).collect())
    });
    let lists = metas.filter_map(|meta| match meta {
        syn::Meta::List(list) if list.path.is_ident("derive") => list
            .parse_args_with(List::<syn::Path>::parse_terminated)
            .ok(),
        _ => None,
    });
    let paths = lists.flatten();
    paths
        .filter_map(|p| Some(p.segments.last()?.ident.clone()))
        .collect()
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
        out.insert(format!(
            "impl{} {}{trait_text} for {}{}",
            tidy(&imp.generics),
            tidy(bang),
            self.type_text(m, &imp.self_ty),
            where_(&imp.generics)
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
    is_pub(vis) && !is_test_only(attrs)
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
    let syn::Signature {
        constness,
        asyncness,
        unsafety,
        abi,
        ..
    } = sig;
    let args: Vec<String> = sig.inputs.iter().map(argument).collect();
    format!(
        "{} {path}{}({}){}{}",
        tidy(&quote!(#constness #asyncness #unsafety #abi fn)),
        tidy(&sig.generics),
        args.join(", "),
        after(" ", &sig.output),
        where_(&sig.generics)
    )
}

/// An argument without what only matters inside the body (`mut` bindings, attributes).
fn argument(arg: &syn::FnArg) -> String {
    match arg {
        syn::FnArg::Receiver(r) => {
            let mut r = r.clone();
            r.attrs.clear();
            if r.reference.is_none() {
                r.mutability = None; // `mut self`; in `&mut self` it is part of the type
            }
            tidy(&r)
        }
        syn::FnArg::Typed(t) => {
            let pattern = match &*t.pat {
                syn::Pat::Ident(p) => p.ident.to_string(),
                other => tidy(other),
            };
            format!("{pattern}: {}", tidy(&t.ty))
        }
    }
}

/// ` where T: Clone` (empty when there is no where clause).
fn where_(g: &syn::Generics) -> String {
    after(" ", &g.where_clause)
}

/// The tidy text of `node` after `sep`, or nothing when there is no text: `: Clone + Send`.
fn after(sep: &str, node: &impl ToTokens) -> String {
    let text = tidy(node);
    if text.is_empty() {
        text
    } else {
        format!("{sep}{text}")
    }
}

/// The generic arguments of a path's last segment (`<'a>` of `ListRequest<'a>`).
fn last_args(path: &syn::Path) -> String {
    match path.segments.last().map(|s| &s.arguments) {
        Some(syn::PathArguments::None) | None => String::new(),
        Some(arguments) => tidy(arguments),
    }
}
