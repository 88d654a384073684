//! The network hallway that every source reader and tracker writer shares (DESIGN §5):
//! one reqwest client with connect/read/total timeouts, safe retries with backoff and
//! jitter that honour `Retry-After`, a body size limit, secrets that never print, and
//! errors without URLs or secrets.

mod client;
pub mod error;
pub mod retry;
pub mod secret;

pub use client::{Auth, HttpClient, HttpSettings, Response, WriteFailure, DEFAULT_MAX_BODY_BYTES};
pub use retry::RetryPolicy;
