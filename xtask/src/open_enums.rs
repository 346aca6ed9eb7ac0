//! Open enums: every string enum of the spec becomes a Rust enum with one variant per
//! listed value plus `Unknown(String)`, so that one new server value does not fail a whole
//! response. progenitor's own enums are closed; we give it these through its type
//! replacement setting (see [`crate::codegen::settings`]) and emit them next to its output.

use crate::doc::entries;
use anyhow::{bail, Result};
use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Module (inside the generated file) holding the open enums; re-exported at the crate root.
pub const MODULE: &str = "open_enums";

/// One string enum of the spec.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// The schema name, which is also the Rust type name.
    pub name: String,
    /// The wire values, in spec order.
    pub values: Vec<String>,
    /// The schema's description or title, for the doc comment.
    pub doc: Option<String>,
}

impl OpenEnum {
    /// The Rust path the generated code refers to.
    pub fn rust_path(&self) -> String {
        format!("crate::{MODULE}::{}", self.name)
    }
}

/// Finds every component schema that is a string enum.
pub fn find(doc: &Value) -> Vec<OpenEnum> {
    let mut out: Vec<OpenEnum> = entries(&doc["components"]["schemas"])
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("string"))
        .filter_map(|(name, s)| {
            let values = s.get("enum")?.as_array()?.iter();
            Some(OpenEnum {
                name: name.clone(),
                values: values
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()?,
                doc: s
                    .get("description")
                    .or_else(|| s.get("title"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Emits the `open_enums` module.
pub fn emit(enums: &[OpenEnum]) -> Result<TokenStream> {
    let items = enums.iter().map(emit_one).collect::<Result<Vec<_>>>()?;
    let module = format_ident!("{}", MODULE);
    Ok(quote! {
        /// The spec's string enums, open: a value this crate does not know decodes to
        /// `Unknown(value)` and encodes back unchanged.
        pub mod #module {
            #(#items)*
        }
    })
}

fn emit_one(e: &OpenEnum) -> Result<TokenStream> {
    let name = format_ident!("{}", e.name);
    let mut idents = Vec::new();
    for v in &e.values {
        let camel = v.to_upper_camel_case();
        if camel.is_empty() || camel == "Unknown" || !camel.chars().next().unwrap().is_alphabetic()
        {
            bail!("enum {}: value {v:?} has no usable variant name", e.name);
        }
        if idents.iter().any(|i: &proc_macro2::Ident| *i == camel) {
            bail!("enum {}: two values map to the variant {camel}", e.name);
        }
        idents.push(format_ident!("{}", camel));
    }
    let values = &e.values;
    let lead = e
        .doc
        .as_ref()
        .map_or("Open enum".into(), |d| format!("{d}\n\nOpen"));
    let type_doc = format!(
        "{lead}: values outside the spec decode to [`{}::Unknown`].",
        e.name
    );
    let variant_docs = values.iter().map(|v| format!("`{v}`"));
    let traits = emit_traits(e, &name, &idents, &type_doc);
    Ok(quote! {
        #[doc = #type_doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #idents,
            )*
            /// A value the spec does not list, kept verbatim.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether the value is one the spec lists.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        #traits
    })
}

/// The trait impls of one open enum: text (`Display`, `FromStr`, `From<&str>`), serde (as the
/// wire string) and a JSON schema that documents the known values without enforcing them.
fn emit_traits(
    e: &OpenEnum,
    name: &proc_macro2::Ident,
    idents: &[proc_macro2::Ident],
    type_doc: &str,
) -> TokenStream {
    let values = &e.values;
    let schema_name = &e.name;
    quote! {
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match value {
                    #(#values => Self::#idents,)*
                    other => Self::Unknown(other.to_string()),
                })
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::string::String {
                #schema_name.to_string()
            }

            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                // A string; the listed values are documented, not enforced (the enum is open).
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(#type_doc.to_string()),
                        examples: Self::KNOWN.iter().map(|v| ::serde_json::Value::from(*v)).collect(),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}
