//! Percentiles by linear interpolation between the closest ranks (NumPy's default,
//! Excel's PERCENTILE.INC): rank `h = (n − 1)·p`, value `x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋)`.

/// The `p`-th percentile (`p` in [0, 1]) of `values`, reordering them in place.
/// Uses selection instead of a full sort so millions of lead times stay cheap.
/// `None` for an empty slice; NaNs are the caller's to remove.
pub fn percentile_in_place(values: &mut [f64], p: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 || !p.is_finite() {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let (_, lo_value, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let lo_value = *lo_value;
    if frac == 0.0 || above.is_empty() {
        return Some(lo_value);
    }
    // The next rank is the smallest value above the selected one.
    let hi_value = above.iter().copied().fold(f64::INFINITY, f64::min);
    Some(lo_value + frac * (hi_value - lo_value))
}

/// p50 and p90 of `values` (reordered in place).
pub fn p50_p90(values: &mut [f64]) -> (Option<f64>, Option<f64>) {
    if values.len() >= RADIX_MIN {
        return p50_p90_of(values);
    }
    (
        percentile_in_place(values, 0.5),
        percentile_in_place(values, 0.9),
    )
}

/// Below this many values selection in place is as fast as the radix passes.
const RADIX_MIN: usize = 1 << 14;

/// p50 and p90 of `values`, which are only read: large inputs are not copied but
/// bucketed on the top bits of their `total_cmp` order key (one counting pass), and
/// only the few buckets holding the wanted ranks are selected in. The same order
/// statistics as sorting, so the same values.
pub fn p50_p90_of(values: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = values.len();
    if n < RADIX_MIN {
        let mut copy = values.to_vec();
        return (
            percentile_in_place(&mut copy, 0.5),
            percentile_in_place(&mut copy, 0.9),
        );
    }
    let rank = |p: f64| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        (lo, h - lo as f64)
    };
    let (lo50, f50) = rank(0.5);
    let (lo90, f90) = rank(0.9);
    let wanted = [lo50, (lo50 + 1).min(n - 1), lo90, (lo90 + 1).min(n - 1)];
    let got = order_statistics(values, wanted);
    let value = |lo: f64, hi: f64, frac: f64| {
        if frac == 0.0 {
            lo
        } else {
            lo + frac * (hi - lo)
        }
    };
    (
        Some(value(got[0], got[1], f50)),
        Some(value(got[2], got[3], f90)),
    )
}

/// Key whose unsigned order is `f64::total_cmp`'s.
fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

const BUCKET_BITS: u32 = 16;

/// The values of the given ranks (0-based, ascending, each `< values.len()`).
fn order_statistics(values: &[f64], ranks: [usize; 4]) -> [f64; 4] {
    let shift = 64 - BUCKET_BITS;
    let mut hist = vec![0u32; 1 << BUCKET_BITS];
    for &v in values {
        hist[(order_key(v) >> shift) as usize] += 1;
    }
    // The bucket of each rank, and the rank within it.
    let mut bucket = [0usize; 4];
    let mut within = [0usize; 4];
    let mut below = 0usize;
    let mut k = 0;
    for (b, &c) in hist.iter().enumerate() {
        let c = c as usize;
        while k < 4 && ranks[k] < below + c {
            bucket[k] = b;
            within[k] = ranks[k] - below;
            k += 1;
        }
        if k == 4 {
            break;
        }
        below += c;
    }
    // Gather the members of the (at most four, usually two) distinct buckets in one
    // more pass over the values.
    let mut distinct: Vec<u64> = bucket.iter().map(|&b| b as u64).collect();
    distinct.dedup();
    let mut members: Vec<Vec<f64>> = vec![Vec::new(); distinct.len()];
    // Each bucket's slot in `members` (0: not wanted), so that a value is sorted out
    // by one table load instead of a search.
    let mut slot = vec![0u8; 1 << BUCKET_BITS];
    for (m, &d) in distinct.iter().enumerate() {
        slot[d as usize] = m as u8 + 1;
    }
    for &v in values {
        let m = slot[(order_key(v) >> shift) as usize];
        if m != 0 {
            members[usize::from(m - 1)].push(v);
        }
    }
    let mut out = [f64::NAN; 4];
    for j in 0..4 {
        let Some(m) = distinct.iter().position(|&d| d == bucket[j] as u64) else {
            continue;
        };
        let members = &mut members[m];
        // `within[j]` is below the bucket's count, which is `members.len()`.
        if within[j] < members.len() {
            let (_, x, _) = members.select_nth_unstable_by(within[j], f64::total_cmp);
            out[j] = *x;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_has_no_percentile() {
        assert_eq!(percentile_in_place(&mut [], 0.5), None);
    }

    #[test]
    fn single_value_is_every_percentile() {
        assert_eq!(percentile_in_place(&mut [7.0], 0.9), Some(7.0));
    }

    #[test]
    fn interpolates_like_percentile_inc() {
        // Excel: PERCENTILE.INC({1,2,3,4}, 0.5) = 2.5; 0.9 → h = 2.7 → 3 + 0.7·1 = 3.7.
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile_in_place(&mut v, 0.5), Some(2.5));
        let p90 = percentile_in_place(&mut v, 0.9).unwrap_or(f64::NAN);
        assert!((p90 - 3.7).abs() < 1e-12, "{p90}");
    }

    #[test]
    fn ten_values_p90() {
        // 1..=10: h = 9·0.9 = 8.1 → 9 + 0.1·1 = 9.1; p50: h = 4.5 → 5.5.
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let (p50, p90) = p50_p90(&mut v);
        assert_eq!(p50, Some(5.5));
        assert!((p90.unwrap_or(f64::NAN) - 9.1).abs() < 1e-12);
    }

    #[test]
    fn duplicates_are_ranks() {
        let mut v = vec![1.0, 1.0, 1.0, 10.0];
        // h = 1.5 → 1 + 0.5·0 = 1
        assert_eq!(percentile_in_place(&mut v, 0.5), Some(1.0));
    }

    #[test]
    fn radix_path_matches_selection() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in [RADIX_MIN, RADIX_MIN + 1, 50_001] {
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Repeats, zeros and a wide spread, as lead times have.
                    if i % 7 == 0 {
                        0.0
                    } else {
                        (x % 400_000) as f64 / 8.0
                    }
                })
                .collect();
            let mut copy = v.clone();
            let expected = (
                percentile_in_place(&mut copy, 0.5),
                percentile_in_place(&mut copy, 0.9),
            );
            assert_eq!(p50_p90_of(&v), expected, "n = {n}");
        }
    }
}
