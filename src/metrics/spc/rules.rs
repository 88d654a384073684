//! Run rules on standardized points `z = (x − centre) / σ`, so one implementation serves
//! XmR charts (σ = mR̄ / 1.128) and attribute charts (σ varying with n). Each signal
//! names its rule and every point of the run that trips it. Runs never cross a
//! segment boundary: a process change starts the pattern search afresh.

use std::ops::Range;

use crate::metrics::settings::RuleSet;
use crate::metrics::types::Rule;

/// A rule tripped at `index` by `points` (indices into the chart's points).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trip {
    pub rule: Rule,
    pub index: usize,
    pub points: Vec<usize>,
}

/// Every trip of the rule set over the chart's segments, sorted by index then rule.
/// `values` are the raw points (trend rules), `z` their standardized form.
pub fn evaluate(values: &[f64], z: &[f64], segments: &[Range<usize>], set: RuleSet) -> Vec<Trip> {
    let mut trips = Vec::new();
    for seg in segments {
        let seg = seg.start.min(z.len())..seg.end.min(z.len()).min(values.len());
        let (zs, vs, off) = (&z[seg.clone()], &values[seg.clone()], seg.start);
        match set {
            RuleSet::WesternElectric => {
                beyond(zs, off, 3.0, Rule::We1, &mut trips);
                k_of_m(zs, off, 2, 3, 2.0, Rule::We2, &mut trips);
                k_of_m(zs, off, 4, 5, 1.0, Rule::We3, &mut trips);
                same_side(zs, off, 8, Rule::We4, &mut trips);
            }
            RuleSet::Nelson => {
                beyond(zs, off, 3.0, Rule::N1, &mut trips);
                same_side(zs, off, 9, Rule::N2, &mut trips);
                trending(vs, off, 6, &mut trips);
                alternating(vs, off, 14, &mut trips);
                k_of_m(zs, off, 2, 3, 2.0, Rule::N5, &mut trips);
                k_of_m(zs, off, 4, 5, 1.0, Rule::N6, &mut trips);
                hugging(zs, off, 15, &mut trips);
                avoiding(zs, off, 8, &mut trips);
            }
        }
    }
    trips.sort_by_key(|t| (t.index, t.rule.code()));
    trips
}

/// Rule 1: a point beyond `limit` σ.
fn beyond(z: &[f64], off: usize, limit: f64, rule: Rule, out: &mut Vec<Trip>) {
    for (i, v) in z.iter().enumerate() {
        if v.abs() > limit {
            out.push(Trip {
                rule,
                index: off + i,
                points: vec![off + i],
            });
        }
    }
}

/// `k` of `m` consecutive points beyond `limit` σ on one side; the point completing the
/// pattern must be one of them (so a pattern is reported where it appears). At the
/// start of a segment the window is the points so far: `k` of the first fewer than
/// `m` points are already `k` of `m` (2.5, 2.5 opens a segment with WE2).
fn k_of_m(z: &[f64], off: usize, k: usize, m: usize, limit: f64, rule: Rule, out: &mut Vec<Trip>) {
    for i in 0..z.len() {
        for side in [1.0, -1.0] {
            if z[i] * side <= limit {
                continue;
            }
            let window = (i + 1).saturating_sub(m)..=i;
            let hits: Vec<usize> = window
                .filter(|&j| z[j] * side > limit)
                .map(|j| off + j)
                .collect();
            if hits.len() >= k {
                out.push(Trip {
                    rule,
                    index: off + i,
                    points: hits,
                });
            }
        }
    }
}

/// Emits one trip per run, at the point where the run (its length ending at each point,
/// from `lengths`) first reaches `len`; the trip names the run's `len` points.
fn emit_runs(
    lengths: impl Iterator<Item = usize>,
    len: usize,
    rule: Rule,
    off: usize,
    out: &mut Vec<Trip>,
) {
    for (i, run) in lengths.enumerate() {
        if run == len {
            out.push(Trip {
                rule,
                index: off + i,
                points: (off + i + 1 - len..=off + i).collect(),
            });
        }
    }
}

fn sign(x: f64) -> i8 {
    if x > 0.0 {
        1
    } else if x < 0.0 {
        -1
    } else {
        0
    }
}

/// `len` points in a row on one side of the centre (a point on it breaks the run).
fn same_side(z: &[f64], off: usize, len: usize, rule: Rule, out: &mut Vec<Trip>) {
    let mut run = 0usize;
    let mut side = 0i8;
    let lengths = z.iter().map(|&v| {
        let s = sign(v);
        run = match s {
            0 => 0,
            _ if s == side => run + 1,
            _ => 1,
        };
        side = s;
        run
    });
    emit_runs(lengths, len, rule, off, out);
}

/// Runs of points whose successive moves satisfy `continues(previous move, move)`;
/// a first non-zero move makes a run of two points.
fn move_runs(v: &[f64], continues: impl Fn(i8, i8) -> bool) -> Vec<usize> {
    let mut lengths = Vec::with_capacity(v.len());
    let mut run = 1usize;
    let mut last = 0i8;
    for i in 0..v.len() {
        if i == 0 {
            lengths.push(1);
            continue;
        }
        let m = sign(v[i] - v[i - 1]);
        run = if m == 0 {
            1
        } else if last != 0 && continues(last, m) {
            run + 1
        } else {
            2
        };
        last = m;
        lengths.push(run);
    }
    lengths
}

/// Nelson 3: `len` points in a row steadily rising or falling.
fn trending(v: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let lengths = move_runs(v, |a, b| a == b);
    emit_runs(lengths.into_iter(), len, Rule::N3, off, out);
}

/// Nelson 4: `len` points in a row alternating up and down.
fn alternating(v: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let lengths = move_runs(v, |a, b| a == -b);
    emit_runs(lengths.into_iter(), len, Rule::N4, off, out);
}

/// Nelson 7: `len` points in a row within 1 σ, either side.
fn hugging(z: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let mut run = 0usize;
    let lengths = z.iter().map(|v| {
        run = if v.abs() < 1.0 { run + 1 } else { 0 };
        run
    });
    emit_runs(lengths, len, Rule::N7, off, out);
}

/// Nelson 8: `len` points in a row beyond 1 σ, with points on both sides among them.
/// Reported once per run, at the first point where the last `len` qualify.
fn avoiding(z: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let mut run = 0usize;
    let mut reported = false;
    for i in 0..z.len() {
        if z[i].abs() > 1.0 {
            run += 1;
        } else {
            run = 0;
            reported = false;
        }
        if run >= len && !reported {
            let window = &z[i + 1 - len..=i];
            if window.iter().any(|&v| v > 0.0) && window.iter().any(|&v| v < 0.0) {
                reported = true;
                out.push(Trip {
                    rule: Rule::N8,
                    index: off + i,
                    points: (off + i + 1 - len..=off + i).collect(),
                });
            }
        }
    }
}
