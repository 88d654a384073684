//! The network hallway that every source reader and tracker writer shares (DESIGN §5):
//! one reqwest client with connect/read/total timeouts, safe retries with backoff and
//! jitter that honour `Retry-After`, a body size limit, secrets that never print, and
//! errors without URLs or secrets.

mod client;
pub mod error;
mod failure;
pub mod retry;
pub mod secret;

pub use client::{Auth, HttpClient, HttpSettings, Response, DEFAULT_MAX_BODY_BYTES};
pub use failure::{status_refused, Delivery, NetError};
pub use retry::RetryPolicy;
