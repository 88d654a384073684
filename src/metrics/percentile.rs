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
    (
        percentile_in_place(values, 0.5),
        percentile_in_place(values, 0.9),
    )
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
}
