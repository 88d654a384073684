//! Run rules on standardized points `z = (x − centre) / σ`, so one implementation serves
//! XmR charts (σ = mR̄ / 1.128) and attribute charts (σ varying with n). Each signal
//! names its rule and every point of the run that trips it. Runs never cross a
//! segment boundary: a process change starts the pattern search afresh.
//!
//! A NaN `z` means "no zone": the point's limits are unknown, or its σ is 0 (no
//! variation in the baseline), so the chart cannot judge it. Such a point trips no
//! rule, counts for no pattern and breaks every run, the trend rules (Nelson 3 and 4,
//! which read the raw values) included.

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
                trending(vs, zs, off, 6, &mut trips);
                alternating(vs, zs, off, 14, &mut trips);
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
/// `m` points are already `k` of `m` (2.5, 2.5 opens a segment with WE2). A point
/// without a zone (NaN) starts the window afresh, like a segment's start.
fn k_of_m(z: &[f64], off: usize, k: usize, m: usize, limit: f64, rule: Rule, out: &mut Vec<Trip>) {
    let mut fresh = 0usize;
    for i in 0..z.len() {
        if z[i].is_nan() {
            fresh = i + 1;
            continue;
        }
        for side in [1.0, -1.0] {
            if z[i] * side <= limit {
                continue;
            }
            let window = (i + 1).saturating_sub(m).max(fresh)..=i;
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
/// a first non-zero move makes a run of two points. A point without a zone (NaN `z`)
/// is in no run (length 0) and the next point starts afresh.
fn move_runs(v: &[f64], z: &[f64], continues: impl Fn(i8, i8) -> bool) -> Vec<usize> {
    let mut lengths = Vec::with_capacity(v.len());
    let mut run = 1usize;
    let mut last = 0i8;
    for i in 0..v.len() {
        if z.get(i).is_none_or(|z| z.is_nan()) {
            lengths.push(0);
            last = 0;
            continue;
        }
        if i == 0 || lengths[i - 1] == 0 {
            lengths.push(1);
            last = 0;
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
fn trending(v: &[f64], z: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let lengths = move_runs(v, z, |a, b| a == b);
    emit_runs(lengths.into_iter(), len, Rule::N3, off, out);
}

/// Nelson 4: `len` points in a row alternating up and down.
fn alternating(v: &[f64], z: &[f64], off: usize, len: usize, out: &mut Vec<Trip>) {
    let lengths = move_runs(v, z, |a, b| a == -b);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(values: &[f64], z: &[f64], set: RuleSet) -> Vec<Rule> {
        let whole = 0..z.len();
        evaluate(values, z, std::slice::from_ref(&whole), set)
            .into_iter()
            .map(|t| t.rule)
            .collect()
    }

    #[test]
    fn points_without_a_zone_trip_nothing() {
        let nan = vec![f64::NAN; 20];
        let rising: Vec<f64> = (0..20).map(f64::from).collect();
        for set in [RuleSet::WesternElectric, RuleSet::Nelson] {
            // Neither a constant series (Nelson 7 would see 15 within 1σ) nor a
            // steady rise (Nelson 3 reads the raw values).
            assert!(rules_of(&[0.1; 20], &nan, set).is_empty(), "{set:?}");
            assert!(rules_of(&rising, &nan, set).is_empty(), "{set:?}");
        }
    }

    #[test]
    fn a_point_without_a_zone_breaks_runs_and_windows() {
        // 2.5, NaN, 2.5: the NaN starts the 2-of-3 window afresh, so no WE2 …
        let z = [2.5, f64::NAN, 2.5];
        assert!(rules_of(&z, &z, RuleSet::WesternElectric).is_empty());
        // … while 2.5, 0, 2.5 is 2 of 3.
        let z = [2.5, 0.0, 2.5];
        assert_eq!(rules_of(&z, &z, RuleSet::WesternElectric), vec![Rule::We2]);
        // 7 above, NaN, 1 above: no 8 in a row.
        let mut z = vec![0.5; 9];
        z[7] = f64::NAN;
        assert!(rules_of(&z, &z, RuleSet::WesternElectric).is_empty());
        z[7] = 0.5;
        assert_eq!(rules_of(&z, &z, RuleSet::WesternElectric), vec![Rule::We4]);
        // Nelson 3: 1..=6 rising trips at the sixth point; a NaN in the middle breaks it.
        let v: Vec<f64> = (1..=6).map(f64::from).collect();
        let zero = [0.0; 6];
        assert_eq!(rules_of(&v, &zero, RuleSet::Nelson), vec![Rule::N3]);
        let mut gap = zero;
        gap[2] = f64::NAN;
        assert!(rules_of(&v, &gap, RuleSet::Nelson).is_empty());
    }
}
