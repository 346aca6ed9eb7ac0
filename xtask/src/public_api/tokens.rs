//! Token text as a person writes Rust: `Option<u64>`, `&'a str`, `impl Fn(u64) + Send`.
//!
//! `quote` separates every token by a space (`Option < u64 >`), which makes a listing hard to
//! read and to grep. This printer decides, for each pair of neighbouring tokens, whether Rust
//! style puts a space between them. It only has to be right for what appears in signatures
//! (types, generics, where clauses, argument patterns), not for arbitrary expressions.
//!
//! Three tidyings on top: trailing commas are dropped, a path's leading `::` is dropped
//! (`::uuid::Uuid` -> `uuid::Uuid`), and the std prelude paths the generated code spells out (`::std::string::String`) are shortened
//! to the prelude name, because they add length and no information.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// One printable unit: joint punctuation is merged (`::`, `->`) and a lifetime is one unit.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Word(String),
    Lifetime(String),
    Literal(String),
    Op(String),
    Open(char),
    Close(char),
}

impl Atom {
    fn text(&self) -> String {
        match self {
            Atom::Word(s) | Atom::Lifetime(s) | Atom::Literal(s) | Atom::Op(s) => s.clone(),
            Atom::Open(c) | Atom::Close(c) => c.to_string(),
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self, Atom::Op(o) if o == op)
    }
}

/// Keywords after which `::` starts a new path rather than continuing one.
const KEYWORDS: &[&str] = &[
    "as", "async", "const", "dyn", "extern", "fn", "for", "impl", "in", "mut", "pub", "ref",
    "static", "type", "unsafe", "where",
];

/// Std paths that only spell out a prelude name (`std::option::` before `Option`).
const PRELUDE_PATHS: &[[&str; 2]] = &[
    ["std", "option"],
    ["std", "string"],
    ["std", "vec"],
    ["std", "boxed"],
    ["core", "option"],
];

/// The tidy text of any syntax node: `Option<u64>`, not `quote`'s `Option < u64 >`.
pub fn tidy(node: &impl ToTokens) -> String {
    let mut atoms = Vec::new();
    flatten(node.to_token_stream(), &mut atoms);
    let mut out = String::new();
    let mut prev: Option<&Atom> = None;
    let mut iter = atoms.iter().enumerate();
    while let Some((i, atom)) = iter.next() {
        if atom.is_op("::") && !continues_path(prev)
            || atom.is_op(",") && trailing(atoms.get(i + 1))
        {
            continue;
        }
        if !prev.is_some_and(|p| p.is_op("::")) && prelude_path(&atoms[i..]) {
            iter.nth(2); // the `::`, `option` and `::` after `std`
            continue;
        }
        if prev.is_some_and(|p| spaced(p, atom)) {
            out.push(' ');
        }
        out.push_str(&atom.text());
        prev = Some(atom);
    }
    out
}

fn flatten(tokens: TokenStream, out: &mut Vec<Atom>) {
    let mut pending = String::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ('(', ')'),
                    Delimiter::Bracket => ('[', ']'),
                    Delimiter::Brace => ('{', '}'),
                    Delimiter::None => {
                        flatten(g.stream(), out);
                        continue;
                    }
                };
                out.push(Atom::Open(open));
                flatten(g.stream(), out);
                out.push(Atom::Close(close));
            }
            TokenTree::Ident(i) => out.push(Atom::Word(i.to_string())),
            TokenTree::Literal(l) => out.push(Atom::Literal(l.to_string())),
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                push_ops(std::mem::take(&mut pending), out);
                if let Some(TokenTree::Ident(i)) = iter.next() {
                    out.push(Atom::Lifetime(format!("'{i}")));
                }
            }
            TokenTree::Punct(p) => {
                pending.push(p.as_char());
                let joined = p.spacing() == Spacing::Joint
                    && matches!(iter.peek(), Some(TokenTree::Punct(q)) if q.as_char() != '\'');
                if !joined {
                    push_ops(std::mem::take(&mut pending), out);
                }
            }
        }
    }
    push_ops(pending, out);
}

/// Splits a run of joint punctuation into operators: `::` and `->` stay whole, while `>>`
/// (two closing angle brackets) and `&&` (a reference to a reference) come apart.
fn push_ops(run: String, out: &mut Vec<Atom>) {
    const PAIRS: &[&str] = &["::", "->", "=>", "..", "==", "!=", "<=", ">=", "+=", "-="];
    let mut rest = run.as_str();
    while !rest.is_empty() {
        let len = if PAIRS.iter().any(|p| rest.starts_with(p)) {
            2
        } else {
            1
        };
        out.push(Atom::Op(rest[..len].to_string()));
        rest = &rest[len..];
    }
}

/// Whether a `::` after `prev` continues a path (`std::fmt`, `Vec<u8>::new`) rather than
/// starting one (`-> ::std::string::String`).
fn continues_path(prev: Option<&Atom>) -> bool {
    match prev {
        Some(Atom::Word(w)) => !KEYWORDS.contains(&w.as_str()),
        Some(atom) => atom.is_op(">"),
        None => false,
    }
}

/// Whether a `,` before `next` only ends a list (`Option<T>,>`, `where T: Clone,`): dropped.
/// Not before `)`, where it makes a one-element tuple.
fn trailing(next: Option<&Atom>) -> bool {
    match next {
        None | Some(Atom::Close('}' | ']')) => true,
        Some(atom) => atom.is_op(">"),
    }
}

/// Whether Rust style puts a space between `a` and the `b` that follows it.
fn spaced(a: &Atom, b: &Atom) -> bool {
    use Atom::{Close, Op, Open, Word};
    match (a, b) {
        (Open('{'), _) | (_, Close('}')) => true,
        (Open(_), _) | (_, Close(_)) => false,
        (_, Op(o)) if matches!(o.as_str(), "," | ";" | ":" | "::" | ">" | ".") => false,
        (Op(o), _) if matches!(o.as_str(), "::" | "<" | "&" | "*" | "!" | "#" | "?" | ".") => false,
        (Word(w), Op(o)) if o == "<" => KEYWORDS.contains(&w.as_str()) && w != "impl" && w != "for",
        (Word(w), Open('(' | '[')) => KEYWORDS.contains(&w.as_str()) && w != "fn",
        _ => true,
    }
}

/// Whether `atoms` start with one of [`PRELUDE_PATHS`] and its two `::`s.
fn prelude_path(atoms: &[Atom]) -> bool {
    match atoms {
        [Atom::Word(krate), a, Atom::Word(module), b, ..] if a.is_op("::") && b.is_op("::") => {
            PRELUDE_PATHS.contains(&[krate.as_str(), module.as_str()])
        }
        _ => false,
    }
}
