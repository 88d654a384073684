//! What reading the SLO files found: SLOs flightdeck can keep, notes on what it could
//! not map (reported, never guessed), and mistakes. Each carries the index of the file
//! it came from.

use super::field::Problem;

/// An SLO as its file states it, before it is named and turned into a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSlo {
    /// The service the file puts the SLO under (Sloth `service`, OpenSLO `spec.service`).
    pub service: String,
    /// The SLO's own name (Sloth `slos[].name`, OpenSLO `metadata.name`).
    pub slo: String,
    pub line: usize,
    /// The objective as a fraction (0.999).
    pub target: f64,
    pub window_days: u32,
    pub sli: Sli,
    /// What the file says the SLO (or its OpenSLO `Service`) is for.
    pub description: Option<String>,
    pub origin: Origin,
}

/// Which tool's file an SLO came from (it picks the default service name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Sloth,
    OpenSlo,
}

/// The SLI as flightdeck's `[[services]]` keys hold it (with `{{window}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sli {
    /// bad / total; `total` also feeds the request-rate chart when it is known.
    ErrorRatio {
        ratio: String,
        total: Option<String>,
    },
    GoodTotal {
        good: String,
        total: String,
    },
}

/// Something flightdeck read but cannot map, so left out (and said so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    /// The SLO (or object) it concerns, when there is one.
    pub slo: Option<String>,
    pub message: String,
}

/// A percentage as the fraction it names: `99.9` is `0.999` exactly as written in a
/// TOML config, not `99.9 / 100` (`0.9990000000000001`), so a budget of `1 - t` reads
/// the same from either place.
pub fn fraction(percent: f64) -> f64 {
    (percent / 100.0 * 1e12).round() / 1e12
}

#[derive(Debug, Default)]
pub struct Found {
    pub slos: Vec<(usize, ReadSlo)>,
    pub notes: Vec<(usize, Note)>,
    pub problems: Vec<(usize, Problem)>,
}

impl Found {
    pub fn note(&mut self, file: usize, line: usize, slo: Option<&str>, message: String) {
        let slo = slo.map(str::to_string);
        self.notes.push((file, Note { line, slo, message }));
    }

    pub fn problem(&mut self, file: usize, problem: Problem) {
        self.problems.push((file, problem));
    }
}
