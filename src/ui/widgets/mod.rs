//! Reusable drawing pieces: a time-series chart with markers, a gauge, a stat tile.

pub mod chart;
pub mod gauge;
pub mod tile;
