//! Reads a crate's module tree from its sources, the way rustc finds module files.
//!
//! Starting at `src/lib.rs`, each `mod x;` is looked up as `x.rs` or `x/mod.rs` next to (or
//! below) the declaring file, or at its `#[path = "..."]`; inline `mod x { ... }` blocks are
//! modules too. Items under `#[cfg(test)]` are dropped here, so nothing later sees test code
//! (and a `#[cfg(test)] mod tests;` file is never read). Other `cfg`s are taken as enabled.

use anyhow::{anyhow, Context, Result};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use syn::punctuated::Punctuated;

/// Index of a module in [`Crate::modules`]; the crate root is 0.
pub(super) type ModId = usize;

/// One module: its items (minus test-only ones) and its child modules by name.
pub(super) struct Module {
    pub parent: Option<ModId>,
    pub is_pub: bool,
    pub items: Vec<syn::Item>,
    pub children: Vec<(String, ModId)>,
}

/// Every module of a crate, the root first.
pub(super) struct Crate {
    pub modules: Vec<Module>,
}

/// Where a module's `mod x;` declarations look for files, relative to the crate directory:
/// `#[path]` is relative to `base` (the directory of the module's file, or for an inline module
/// the directory it stands for), `x.rs` and `x/mod.rs` are in `children`.
struct Dirs {
    base: PathBuf,
    children: PathBuf,
}

struct Loader<'a> {
    crate_dir: &'a Path,
    overrides: HashMap<PathBuf, &'a str>,
    modules: Vec<Module>,
}

/// Loads the module tree of the crate at `crate_dir`; `overrides` replace files' text.
pub(super) fn load(crate_dir: &Path, overrides: &[(&str, &str)]) -> Result<Crate> {
    let mut loader = Loader {
        crate_dir,
        overrides: overrides
            .iter()
            .map(|(path, text)| (normalize(Path::new(path)), *text))
            .collect(),
        modules: Vec::new(),
    };
    let items = loader.parse(Path::new("src/lib.rs"))?;
    let (base, children) = (PathBuf::from("src"), PathBuf::from("src"));
    loader.add_module(None, true, items, &Dirs { base, children })?;
    Ok(Crate {
        modules: loader.modules,
    })
}

impl Loader<'_> {
    fn add_module(
        &mut self,
        parent: Option<ModId>,
        is_pub: bool,
        items: Vec<syn::Item>,
        dirs: &Dirs,
    ) -> Result<ModId> {
        let id = self.modules.len();
        self.modules.push(Module {
            parent,
            is_pub,
            items: Vec::new(),
            children: Vec::new(),
        });
        let mut kept = Vec::new();
        for item in items {
            if is_test_only(item_parts(&item).0) {
                continue;
            }
            if let syn::Item::Mod(m) = &item {
                let child = self.load_child(id, m, dirs)?;
                self.modules[id].children.push((m.ident.to_string(), child));
            }
            kept.push(item);
        }
        self.modules[id].items = kept;
        Ok(id)
    }

    fn load_child(&mut self, parent: ModId, m: &syn::ItemMod, dirs: &Dirs) -> Result<ModId> {
        let name = m.ident.to_string();
        let path_attr = path_attribute(&m.attrs);
        if let Some((_, items)) = &m.content {
            let dir = dirs.children.join(path_attr.as_deref().unwrap_or(&name));
            let child_dirs = Dirs {
                base: dir.clone(),
                children: dir,
            };
            return self.add_module(Some(parent), is_pub(&m.vis), items.clone(), &child_dirs);
        }
        let file = match &path_attr {
            Some(p) => dirs.base.join(p),
            None => self.find_module_file(&dirs.children, &name)?,
        };
        let items = self.parse(&file)?;
        let base = normalize(file.parent().unwrap_or(Path::new("")));
        // A `mod.rs` or `#[path]` file owns its directory; `x.rs` owns the directory `x/`.
        let owns_dir = path_attr.is_some() || file.file_name() == Some("mod.rs".as_ref());
        let children = if owns_dir {
            base.clone()
        } else {
            base.join(&name)
        };
        let child_dirs = Dirs { base, children };
        self.add_module(Some(parent), is_pub(&m.vis), items, &child_dirs)
    }

    fn find_module_file(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        [
            dir.join(format!("{name}.rs")),
            dir.join(name).join("mod.rs"),
        ]
        .into_iter()
        .find(|candidate| self.exists(candidate))
        .ok_or_else(|| {
            anyhow!(
                "module `{name}`: neither {0}/{name}.rs nor {0}/{name}/mod.rs exists",
                dir.display()
            )
        })
    }

    fn exists(&self, rel: &Path) -> bool {
        let rel = normalize(rel);
        self.overrides.contains_key(&rel) || self.crate_dir.join(rel).is_file()
    }

    /// Parses a source file, from `overrides` when it is there, else from disk.
    fn parse(&self, rel: &Path) -> Result<Vec<syn::Item>> {
        let rel = normalize(rel);
        let path = self.crate_dir.join(&rel);
        let text = match self.overrides.get(&rel) {
            Some(text) => (*text).to_string(),
            None => std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
        };
        let file = syn::parse_file(&text).with_context(|| format!("parsing {}", path.display()))?;
        Ok(file.items)
    }
}

/// `a/./b/../c` -> `a/c`, so that `#[path]` files and overrides compare equal.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The value of `#[path = "..."]`, if present.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Whether the attributes hold `#[cfg(test)]` (or `#[cfg(all(test, ..))]`).
pub(super) fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    fn requires_test(meta: &syn::Meta) -> bool {
        match meta {
            syn::Meta::Path(p) => p.is_ident("test"),
            syn::Meta::List(list) if list.path.is_ident("all") => list
                .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                .is_ok_and(|nested| nested.iter().any(requires_test)),
            _ => false,
        }
    }
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|m| requires_test(&m))
    })
}

/// Whether a visibility is plain `pub` (`pub(crate)` and the like are not public API).
pub(super) fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// An item's outer attributes and, when it defines a name in its module, that name and its
/// visibility (a module's name is its child entry instead).
pub(super) type ItemParts<'i> = (
    &'i [syn::Attribute],
    Option<(&'i syn::Ident, &'i syn::Visibility)>,
);

/// The [`ItemParts`] of `item`. Only items the listing can show have their attributes read (to
/// drop the `#[cfg(test)]` ones); macros and `extern` blocks add nothing to it either way.
pub(super) fn item_parts(item: &syn::Item) -> ItemParts<'_> {
    use syn::Item;
    match item {
        Item::Const(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Enum(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Fn(i) => (&i.attrs, Some((&i.sig.ident, &i.vis))),
        Item::Static(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Struct(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Trait(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Type(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::Union(i) => (&i.attrs, Some((&i.ident, &i.vis))),
        Item::ExternCrate(i) => (&i.attrs, None),
        Item::Impl(i) => (&i.attrs, None),
        Item::Mod(i) => (&i.attrs, None),
        Item::Use(i) => (&i.attrs, None),
        _ => (&[], None),
    }
}
