//! Prometheus and compatible stores (Thanos, Grafana Mimir, VictoriaMetrics).

pub mod api;
pub mod backfill;
pub mod client;
pub mod grouped;
mod kept;
pub mod plan;
pub mod probe;
pub mod query;
mod registered;
mod source;

pub use client::PromClient;
pub use registered::Registered;
pub use source::PrometheusSource;
