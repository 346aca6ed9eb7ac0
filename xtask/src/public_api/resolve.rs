//! Which names a module exports, what a path names, and each public item's public path.
//!
//! A deliberately small model of rustc's name resolution: one namespace per module (a type and
//! a function of the same name are both returned, by name), items shadow imports and explicit
//! imports shadow globs, and a path whose first segment is not found in scope is taken to be
//! another crate's (`std`, `serde`, a dependency). That is enough to follow the re-export
//! chains a library uses (`mod x; pub use x::{A, B as C};`, `pub use generated::*;`).

use super::load::{is_pub, item_parts, Crate, ModId};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Def {
    Module(ModId),
    /// An item, by its module and index in [`super::load::Module::items`].
    Item(ModId, usize),
    /// Another crate's item, by its path as written (`mistral_files_raw::open_enums::FilePurpose`).
    External(String),
}

/// One name a `use` declaration binds (`*` for a glob) and the path it stands for.
struct Binding {
    name: String,
    path: Vec<String>,
    leading_colon: bool,
    is_pub: bool,
}

pub(super) struct Resolver<'c> {
    krate: &'c Crate,
    uses: Vec<Vec<Binding>>,
    /// The lookups and exports under way: asked again (an import cycle such as `use super::*`
    /// both ways, or `use serde;` naming itself), they answer "nothing" instead of recursing.
    looking_up: RefCell<BTreeSet<(ModId, String)>>,
    exporting: RefCell<BTreeSet<ModId>>,
}

impl<'c> Resolver<'c> {
    pub fn new(krate: &'c Crate) -> Self {
        let uses = krate
            .modules
            .iter()
            .map(|m| m.items.iter().flat_map(bindings).collect())
            .collect();
        Self {
            krate,
            uses,
            looking_up: RefCell::default(),
            exporting: RefCell::default(),
        }
    }

    /// What `path` names when written in module `m` (in a `use` or a type).
    pub fn resolve_path(&self, m: ModId, path: &syn::Path) -> Vec<Def> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(m, &segments, path.leading_colon.is_some())
    }

    fn resolve(&self, m: ModId, path: &[String], leading_colon: bool) -> Vec<Def> {
        let Some((first, rest)) = path.split_first() else {
            return vec![Def::Module(m)];
        };
        if leading_colon {
            return vec![Def::External(path.join("::"))];
        }
        let mut defs = match first.as_str() {
            "crate" => vec![Def::Module(0)],
            "self" | "super" => self.step(m, first),
            _ => Some(self.lookup(m, first))
                .filter(|found| !found.is_empty())
                .unwrap_or_else(|| vec![Def::External(first.clone())]),
        };
        for segment in rest {
            defs = defs
                .into_iter()
                .flat_map(|def| match def {
                    Def::Module(t) => self.step(t, segment),
                    Def::External(s) => vec![Def::External(format!("{s}::{segment}"))],
                    Def::Item(..) => Vec::new(), // an enum variant or associated item
                })
                .collect();
        }
        defs
    }

    /// One path segment below module `m`.
    fn step(&self, m: ModId, segment: &str) -> Vec<Def> {
        match segment {
            "self" => vec![Def::Module(m)],
            "super" => self.krate.modules[m]
                .parent
                .map(Def::Module)
                .into_iter()
                .collect(),
            _ => self.lookup(m, segment),
        }
    }

    /// Everything `name` stands for in module `m`: its items, else its imports, else its globs.
    fn lookup(&self, m: ModId, name: &str) -> Vec<Def> {
        let key = (m, name.to_string());
        if !self.looking_up.borrow_mut().insert(key.clone()) {
            return Vec::new();
        }
        let mut defs = self.local_defs(m, name);
        if defs.is_empty() {
            for b in self.uses[m].iter().filter(|b| b.name == name) {
                defs.extend(self.resolve(m, &b.path, b.leading_colon));
            }
        }
        if defs.is_empty() {
            for b in self.uses[m].iter().filter(|b| b.name == "*") {
                for def in self.resolve(m, &b.path, b.leading_colon) {
                    if let Def::Module(t) = def {
                        defs.extend(self.lookup(t, name));
                    }
                }
            }
        }
        self.looking_up.borrow_mut().remove(&key);
        defs.sort();
        defs.dedup();
        defs
    }

    /// The child modules and items named `name` defined in `m` itself.
    fn local_defs(&self, m: ModId, name: &str) -> Vec<Def> {
        let module = &self.krate.modules[m];
        let children = module.children.iter().filter(|(n, _)| n == name);
        let items = module.items.iter().enumerate();
        children
            .map(|(_, c)| Def::Module(*c))
            .chain(
                items.filter_map(|(i, item)| {
                    (item_name(item)?.0 == name).then_some(Def::Item(m, i))
                }),
            )
            .collect()
    }

    /// The names module `m` makes public, and what each stands for.
    fn exports(&self, m: ModId) -> BTreeMap<String, Vec<Def>> {
        let mut out: BTreeMap<String, Vec<Def>> = BTreeMap::new();
        if !self.exporting.borrow_mut().insert(m) {
            return out;
        }
        let module = &self.krate.modules[m];
        for (name, c) in &module.children {
            if self.krate.modules[*c].is_pub {
                out.entry(name.clone()).or_default().push(Def::Module(*c));
            }
        }
        for (i, item) in module.items.iter().enumerate() {
            if let Some((name, true)) = item_name(item) {
                out.entry(name).or_default().push(Def::Item(m, i));
            }
        }
        let public_uses = self.uses[m].iter().filter(|b| b.is_pub);
        let (globs, named): (Vec<_>, Vec<_>) = public_uses.partition(|b| b.name == "*");
        for b in named {
            let defs = self.resolve(m, &b.path, b.leading_colon);
            out.entry(b.name.clone()).or_default().extend(defs);
        }
        for b in globs {
            for def in self.resolve(m, &b.path, b.leading_colon) {
                match def {
                    Def::Module(t) => {
                        for (name, defs) in self.exports(t) {
                            out.entry(name).or_insert(defs);
                        }
                    }
                    Def::External(s) => out.entry("*".into()).or_default().push(Def::External(s)),
                    Def::Item(..) => {}
                }
            }
        }
        self.exporting.borrow_mut().remove(&m);
        out.retain(|_, defs| !defs.is_empty());
        out
    }

    /// The name an item or module is declared with.
    fn declared_name(&self, def: &Def) -> Option<String> {
        match def {
            Def::Module(m) => {
                let parent = self.krate.modules[*m].parent?;
                let children = &self.krate.modules[parent].children;
                children
                    .iter()
                    .find(|(_, c)| c == m)
                    .map(|(n, _)| n.clone())
            }
            Def::Item(m, i) => item_name(&self.krate.modules[*m].items[*i]).map(|(n, _)| n),
            Def::External(_) => None,
        }
    }
}

/// Each public item's public path, and the `pub use` lines for every other public path.
pub(super) struct PublicPaths {
    /// The shortest public path of each public module and item (ties: the declared name, then
    /// the alphabetically first).
    pub canonical: BTreeMap<Def, String>,
    /// `pub use <path> = <target>`: other crates' items, and second paths to our own.
    pub reexports: Vec<String>,
}

/// Walks the exports breadth-first from the root, so the first path found is a shortest one.
pub(super) fn public_paths(res: &Resolver, crate_name: &str) -> PublicPaths {
    let mut paths = PublicPaths {
        canonical: BTreeMap::from([(Def::Module(0), crate_name.to_string())]),
        reexports: Vec::new(),
    };
    let mut queue = VecDeque::from([(0, crate_name.to_string())]);
    while let Some((m, path)) = queue.pop_front() {
        let mut entries: Vec<(String, Def)> = res
            .exports(m)
            .into_iter()
            .flat_map(|(name, defs)| defs.into_iter().map(move |d| (name.clone(), d)))
            .collect();
        entries.sort_by_key(|(name, def)| {
            (res.declared_name(def).as_ref() != Some(name), name.clone())
        });
        for (name, def) in entries {
            let here = format!("{path}::{name}");
            if let Def::External(target) = &def {
                paths.reexports.push(format!("pub use {here} = {target}"));
            } else if let Some(first) = paths.canonical.get(&def) {
                paths.reexports.push(format!("pub use {here} = {first}"));
            } else {
                if let Def::Module(c) = def {
                    queue.push_back((c, here.clone()));
                }
                paths.canonical.insert(def, here);
            }
        }
    }
    paths
}

/// The name an item defines and whether it is `pub`; `None` for items that define no name
/// here (impls, uses, modules, which are children, and macros).
fn item_name(item: &syn::Item) -> Option<(String, bool)> {
    let (ident, vis) = item_parts(item).1.filter(|(ident, _)| *ident != "_")?;
    Some((ident.to_string(), is_pub(vis)))
}

/// The names a `use` (or `extern crate`) item binds.
fn bindings(item: &syn::Item) -> Vec<Binding> {
    match item {
        syn::Item::Use(u) => {
            let mut names = Vec::new();
            use_names(&u.tree, &mut Vec::new(), &mut names);
            let names = names.into_iter().filter(|(name, _)| name != "_");
            names
                .map(|(name, path)| Binding {
                    name,
                    path,
                    leading_colon: u.leading_colon.is_some(),
                    is_pub: is_pub(&u.vis),
                })
                .collect()
        }
        syn::Item::ExternCrate(e) if e.ident != "self" => vec![Binding {
            name: e.rename.as_ref().map_or(&e.ident, |(_, r)| r).to_string(),
            path: vec![e.ident.to_string()],
            leading_colon: true,
            is_pub: is_pub(&e.vis),
        }],
        _ => Vec::new(),
    }
}

/// The `(name, path)` pairs a use tree below `prefix` binds; a glob binds `*`.
fn use_names(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    let with = |prefix: &[String], ident: &syn::Ident| {
        let mut path = prefix.to_vec();
        if ident != "self" {
            path.push(ident.to_string());
        }
        path
    };
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_names(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let path = with(prefix, &n.ident);
            out.push((path.last().cloned().unwrap_or_default(), path));
        }
        syn::UseTree::Rename(r) => out.push((r.rename.to_string(), with(prefix, &r.ident))),
        syn::UseTree::Glob(_) => out.push(("*".into(), prefix.clone())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, prefix, out)),
    }
}
