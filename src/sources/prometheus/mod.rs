//! Prometheus and compatible stores (Thanos, Grafana Mimir, VictoriaMetrics).

pub mod api;
pub mod backfill;
pub mod client;
pub mod grouped;
mod kept;
pub mod plan;
pub mod query;
mod source;

pub use client::PromClient;
pub use source::PrometheusSource;
