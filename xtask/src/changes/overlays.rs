//! What each of our overlay actions does to a provider document: which contract entries it
//! changes (its footprint), or that it changes nothing any more because the provider now says
//! the same (redundant).
//!
//! The report uses the footprints to show the provider's own changes that an action hides
//! (see [`super::contract`]): our corrections never hide a provider change, and an action the
//! provider has caught up with is a note to remove it, not an error.

use super::model::{self, Model};
use crate::{normalize, overlay};
use anyhow::Result;
use serde_json::Value;
use std::collections::BTreeSet;

/// What one action does to a given provider document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The action's number in `openapi/overlay.yaml`, from 0.
    pub index: usize,
    /// `: "<first sentence of its description>"`, or empty.
    pub about: String,
    /// The contract entries whose structure the action changes (keys of [`model::Model`]).
    pub footprint: BTreeSet<String>,
    /// Why the target selected nothing, if it did (the action then changes nothing).
    pub missed: Option<String>,
}

impl Effect {
    /// Whether the action changes nothing: the provider's document already says it.
    pub fn redundant(&self) -> bool {
        self.footprint.is_empty() && self.missed.is_none()
    }

    /// Whether the change report's subject (an entry key, or its owner) is under this action.
    pub fn covers(&self, subject: &str) -> bool {
        self.footprint
            .iter()
            .any(|k| k == subject || super::owner(k) == subject)
    }

    /// The note a reviewer needs about this action, if any: it is redundant, or its target
    /// selects nothing any more.
    pub fn note(&self) -> Option<String> {
        if let Some(why) = &self.missed {
            return Some(format!(
                "overlay action {}{}: {why}; it no longer applies: re-target it (address operations by our operationId) or remove it",
                self.index, self.about
            ));
        }
        self.redundant().then(|| {
            format!(
                "overlay action {}{}: the provider now says this; remove it from openapi/overlay.yaml",
                self.index, self.about
            )
        })
    }
}

/// The effect of every action of `overlay` on `spec` (the vendored spec, 3.1), each applied
/// after the ones before it as codegen applies them.
pub fn effects(spec: &Value, overlay_doc: &Value) -> Result<Vec<Effect>> {
    let mut doc = spec.clone();
    let mut before = structure(&doc);
    let mut out = Vec::new();
    for (index, action) in overlay::actions(overlay_doc)?.iter().enumerate() {
        let missed = overlay::apply_one(&mut doc, index, action)?.map(|m| m.to_string());
        let after = structure(&doc);
        let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let footprint = keys
            .into_iter()
            .filter(|k| before.get(*k).map(|e| &e.kind) != after.get(*k).map(|e| &e.kind))
            .cloned()
            .collect();
        out.push(Effect {
            index,
            about: overlay::about(action),
            footprint,
            missed,
        });
        before = after;
    }
    Ok(out)
}

/// The contract of a 3.1 document, doc text aside (only structure makes an action matter).
fn structure(doc: &Value) -> Model {
    model::build(&normalize::normalize(doc))
}
