//! Who can reach the address an emulator listens on, and the rule that keeps a well-known key
//! off the network: on an address that is not loopback, the default key (or an empty one, which
//! any `Authorization: Bearer ` matches) is refused unless allowed knowingly, and serving one
//! anyway, or serving without a key, is warned about at every start.
//!
//! A leaf: `lib.rs` turns a refusal into `EmulatorError::WellKnownKeyOnNetwork`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Who can reach an address the emulator listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// A loopback address (`127.0.0.0/8`, `::1`, or `::ffff:127.x.y.z`): this machine only.
    Loopback,
    /// The unspecified address (`0.0.0.0` or `::`): every interface, so anything that can reach
    /// this machine.
    AllInterfaces,
    /// One interface's address (not loopback): anything on the networks it is on.
    Interface(IpAddr),
}

impl Exposure {
    /// The exposure of a listening address.
    pub fn of(ip: IpAddr) -> Exposure {
        let ip = ip.to_canonical();
        if ip.is_loopback() {
            Exposure::Loopback
        } else if ip.is_unspecified() {
            Exposure::AllInterfaces
        } else {
            Exposure::Interface(ip)
        }
    }

    /// Whether other machines may reach it (everything but loopback).
    pub fn reachable_from_network(self) -> bool {
        self != Exposure::Loopback
    }

    /// A short name for machine-readable output: `loopback`, `all-interfaces` or `interface`.
    pub fn as_str(self) -> &'static str {
        match self {
            Exposure::Loopback => "loopback",
            Exposure::AllInterfaces => "all-interfaces",
            Exposure::Interface(_) => "interface",
        }
    }
}

/// `loopback: this machine only`, `all interfaces: reachable from the network`,
/// `one interface: reachable from the network` (said after the address itself).
impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exposure::Loopback => f.write_str("loopback: this machine only"),
            Exposure::AllInterfaces => f.write_str("all interfaces: reachable from the network"),
            Exposure::Interface(_) => f.write_str("one interface: reachable from the network"),
        }
    }
}

/// The key a builder was given, as far as the rule is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// No key: every request is accepted.
    None,
    /// The documented default key, or an empty one: anyone can guess it.
    WellKnown,
    /// A key of the user's own.
    Own,
}

impl KeyKind {
    /// What `key` is, `default` being the documented default key.
    pub(crate) fn of(key: Option<&str>, default: &str) -> KeyKind {
        match key {
            None => KeyKind::None,
            Some(k) if k.trim().is_empty() || k == default => KeyKind::WellKnown,
            Some(_) => KeyKind::Own,
        }
    }
}

/// The key clients must send, kept out of `Debug` (the builder's and the server state's).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Key(String);

impl Key {
    /// Wraps a key.
    pub(crate) fn new(key: String) -> Key {
        Key(key)
    }

    /// The key itself, for comparing with what a request sends.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A well-known key on an address reachable from the network, not allowed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused {
    /// Where it would have been served.
    pub(crate) exposure: Exposure,
}

/// What to warn about at every start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Warning {
    /// The well-known key, allowed knowingly, on an address reachable from the network.
    WellKnownKey,
    /// No key at all on such an address.
    NoKey,
}

impl Warning {
    /// The warning, for the address actually bound.
    pub(crate) fn describe(self, bound: SocketAddr) -> String {
        let exposure = Exposure::of(bound.ip());
        let what = match self {
            Warning::WellKnownKey => "accepts the well-known default API key",
            Warning::NoKey => "accepts requests without an API key",
        };
        format!(
            "{bound} ({exposure}) {what}: anyone who can reach it can list, read, upload and \
             delete files"
        )
    }
}

/// The rule, checked before anything is created or bound: refused when a well-known key would be
/// served on an address reachable from the network without `allow_well_known`; otherwise what to
/// warn about at every start, if anything (a well-known key allowed knowingly, or no key at all,
/// on such an address).
pub(crate) fn check(
    bind: SocketAddr,
    key: KeyKind,
    allow_well_known: bool,
) -> Result<Option<Warning>, Refused> {
    let exposure = Exposure::of(bind.ip());
    if !exposure.reachable_from_network() {
        return Ok(None);
    }
    match key {
        KeyKind::Own => Ok(None),
        KeyKind::WellKnown if !allow_well_known => Err(Refused { exposure }),
        KeyKind::WellKnown => Ok(Some(Warning::WellKnownKey)),
        KeyKind::None => Ok(Some(Warning::NoKey)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn exposure_of_each_kind_of_address() {
        for a in [
            "127.0.0.1:0",
            "127.1.2.3:8080",
            "[::1]:0",
            "[::ffff:127.0.0.1]:0",
        ] {
            assert_eq!(Exposure::of(addr(a).ip()), Exposure::Loopback, "{a}");
        }
        for a in ["0.0.0.0:8080", "[::]:0", "[::ffff:0.0.0.0]:0"] {
            assert_eq!(Exposure::of(addr(a).ip()), Exposure::AllInterfaces, "{a}");
        }
        for a in [
            "192.0.2.7:8080",
            "10.0.0.1:0",
            "[2001:db8::1]:0",
            "[fe80::1]:0",
        ] {
            let e = Exposure::of(addr(a).ip());
            assert_eq!(e, Exposure::Interface(addr(a).ip()), "{a}");
            assert!(e.reachable_from_network());
            assert!(e.to_string().contains("reachable from the network"), "{e}");
        }
        assert!(!Exposure::Loopback.reachable_from_network());
        assert_eq!(
            Exposure::AllInterfaces.to_string(),
            "all interfaces: reachable from the network"
        );
    }

    #[test]
    fn a_key_is_not_in_debug() {
        let k = Key::new("sk-S3CR3T".to_string());
        assert_eq!(
            format!("{k:?} {:?}", Some(k.clone())),
            "<redacted> Some(<redacted>)"
        );
        assert_eq!(k.expose(), "sk-S3CR3T");
    }

    #[test]
    fn key_kinds() {
        assert_eq!(KeyKind::of(None, "test-key"), KeyKind::None);
        for k in ["test-key", "", "  "] {
            assert_eq!(
                KeyKind::of(Some(k), "test-key"),
                KeyKind::WellKnown,
                "{k:?}"
            );
        }
        // the rule is about the documented key itself, not look-alikes
        for k in ["test-key2", "Test-Key", "sk-local"] {
            assert_eq!(KeyKind::of(Some(k), "test-key"), KeyKind::Own, "{k:?}");
        }
    }

    #[test]
    fn a_well_known_key_is_refused_off_loopback_unless_allowed() {
        for a in [
            "0.0.0.0:8080",
            "[::]:8080",
            "192.0.2.7:8080",
            "[2001:db8::1]:0",
        ] {
            assert_eq!(
                check(addr(a), KeyKind::WellKnown, false),
                Err(Refused {
                    exposure: Exposure::of(addr(a).ip())
                }),
                "{a}"
            );
            let warning = check(addr(a), KeyKind::WellKnown, true).unwrap();
            assert_eq!(warning, Some(Warning::WellKnownKey), "{a}");
            let text = warning.unwrap().describe(addr(a));
            assert!(text.starts_with(a), "{text}");
            assert!(text.contains("reachable from the network"), "{text}");
            assert!(text.contains("default API key"), "{text}");
            let warning = check(addr(a), KeyKind::None, false).unwrap();
            assert_eq!(warning, Some(Warning::NoKey), "{a}");
            let text = warning.unwrap().describe(addr(a));
            assert!(text.contains("without an API key"), "{text}");
            assert_eq!(check(addr(a), KeyKind::Own, false).unwrap(), None);
        }
        for a in ["127.0.0.1:8080", "[::1]:0"] {
            for kind in [KeyKind::WellKnown, KeyKind::None, KeyKind::Own] {
                assert_eq!(check(addr(a), kind, false).unwrap(), None, "{a} {kind:?}");
            }
        }
    }
}
