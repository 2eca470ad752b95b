//! statelang: an embeddable Amazon States Language engine.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod data;
pub mod error;
pub mod value;

pub use error::StatesError;
pub use value::Val;
