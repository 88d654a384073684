//! Synthetic history in OpenMetrics text for `promtool tsdb create-blocks-from
//! openmetrics`: the live demo's 30 days and the integration tests' known ratios.
