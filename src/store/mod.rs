//! Local cache in SQLite: deployments, incidents, series aggregates, watermarks.
