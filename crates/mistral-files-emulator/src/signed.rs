//! Signed download URLs: `/signed/<token>` where the token is
//! `<uuid simple hex>.<expires_at decimal>.<HMAC-SHA256 hex>` over the first two parts, keyed by a
//! random per-data-directory key kept in the database (so URLs survive a restart).
//!
//! A leaf: tokens only, no HTTP; `handlers::signed_url` answers with them.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Longest token accepted (anything longer is invalid without further work).
const MAX_TOKEN_LEN: usize = 160;

fn mac(key: &[u8; 32], payload: &str) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(payload.as_bytes());
    m
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Makes a token for `id` valid until `expires_at` (UNIX seconds).
pub(crate) fn sign(key: &[u8; 32], id: &Uuid, expires_at: i64) -> String {
    let payload = format!("{}.{}", id.simple(), expires_at);
    let tag = mac(key, &payload).finalize().into_bytes();
    format!("{payload}.{}", hex(&tag))
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenError {
    Invalid,
    Expired,
}

/// Checks a token's signature then its expiry; returns the file id.
pub(crate) fn verify(key: &[u8; 32], token: &str, now: i64) -> Result<Uuid, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Invalid);
    }
    let mut parts = token.split('.');
    let (Some(id), Some(exp), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    let tag = unhex(tag).ok_or(TokenError::Invalid)?;
    mac(key, &format!("{id}.{exp}"))
        .verify_slice(&tag)
        .map_err(|_| TokenError::Invalid)?;
    let id = Uuid::try_parse(id).map_err(|_| TokenError::Invalid)?;
    let exp: i64 = exp.parse().map_err(|_| TokenError::Invalid)?;
    if now >= exp {
        return Err(TokenError::Expired);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_tamper_expire() {
        let key = [7u8; 32];
        let id = Uuid::new_v4();
        let t = sign(&key, &id, 1000);
        assert_eq!(verify(&key, &t, 999), Ok(id));
        assert_eq!(verify(&key, &t, 1000), Err(TokenError::Expired));
        let tampered = t.replace(".1000.", ".9999.");
        assert_eq!(verify(&key, &tampered, 0), Err(TokenError::Invalid));
        assert_eq!(verify(&[8u8; 32], &t, 0), Err(TokenError::Invalid));
        assert_eq!(verify(&key, "garbage", 0), Err(TokenError::Invalid));
        assert_eq!(verify(&key, "", 0), Err(TokenError::Invalid));
    }
}
