//! `States.Base64Encode`, `States.Base64Decode` and `States.Hash`.

use super::{expect_str, failure, Call, Function, Prepared};
use crate::error::StatesError;
use crate::value::Val;
use base64::Engine as _;
use std::fmt::Write as _;

/// The longest input (in characters) Base64Encode, Base64Decode and Hash accept.
pub const MAX_INPUT_CHARS: usize = 10_000;

/// A `States.Hash` algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `MD5`
    Md5,
    /// `SHA-1`
    Sha1,
    /// `SHA-256`
    Sha256,
    /// `SHA-384`
    Sha384,
    /// `SHA-512`
    Sha512,
}

impl HashAlgorithm {
    /// The algorithm AWS names `name` (`MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`).
    pub fn from_name(name: &str) -> Option<HashAlgorithm> {
        match name {
            "MD5" => Some(HashAlgorithm::Md5),
            "SHA-1" => Some(HashAlgorithm::Sha1),
            "SHA-256" => Some(HashAlgorithm::Sha256),
            "SHA-384" => Some(HashAlgorithm::Sha384),
            "SHA-512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The lowercase hex digest of `data`.
    pub fn hex_digest(self, data: &[u8]) -> String {
        use sha2::Digest;
        let bytes: Vec<u8> = match self {
            HashAlgorithm::Md5 => md5::Md5::digest(data).to_vec(),
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        };
        let mut hex = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(hex, "{b:02x}");
        }
        hex
    }
}

fn check_len(func: Function, s: &str) -> Result<(), StatesError> {
    // Characters as Java counts them (UTF-16 code units).
    if s.len() > MAX_INPUT_CHARS && s.encode_utf16().count() > MAX_INPUT_CHARS {
        return Err(failure(
            func,
            format!("the input must be at most {MAX_INPUT_CHARS} characters long"),
        ));
    }
    Ok(())
}

const BASE64_DECODER: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// `States.Base64Encode(string)`: the UTF-8 bytes in standard Base64.
pub(super) fn base64_encode(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::Base64Encode;
    let s = expect_str(f, args, 0)?;
    check_len(f, s)?;
    Ok(Val::string(
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
    ))
}

/// `States.Base64Decode(string)`: the decoded bytes as a (UTF-8) string.
pub(super) fn base64_decode(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::Base64Decode;
    let s = expect_str(f, args, 0)?;
    check_len(f, s)?;
    let bytes = BASE64_DECODER
        .decode(s.as_bytes())
        .map_err(|e| failure(f, format!("the input is not valid Base64: {e}")))?;
    Ok(Val::string(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `States.Hash(data, algorithm)`: lowercase hex.
pub(super) fn hash(call: &Call, args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::Hash;
    let data = expect_str(f, args, 0)?;
    check_len(f, data)?;
    let alg = match call.prepared {
        Prepared::Hash(alg) => alg,
        _ => {
            let name = expect_str(f, args, 1)?;
            HashAlgorithm::from_name(name).ok_or_else(|| {
                failure(
                    f,
                    format!(
                        "unsupported hash algorithm '{name}' \
                         (expected MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
                    ),
                )
            })?
        }
    };
    Ok(Val::string(alg.hex_digest(data.as_bytes())))
}
