//! A tiny deterministic PRNG (SplitMix64) and a stateless hash for per-step noise.
//!
//! The demo must produce the same world for the same seed forever, so it carries its own
//! generator instead of depending on `rand`, whose streams may change between versions.

/// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state, good statistical quality for
/// test data, trivially reproducible.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finalizer: a bijective mix of 64 bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes several words into one, order-sensitively (stateless noise keys).
pub fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(GOLDEN_GAMMA, |acc, &p| {
        mix(acc.wrapping_add(GOLDEN_GAMMA) ^ p)
    })
}

/// An approximately standard normal value from one hash: the sum of four 16-bit
/// uniforms (Irwin–Hall), centred and scaled to unit variance. Cheap, no `ln`/`cos`,
/// and bounded (|z| ≤ 2√3), which keeps noisy series free of absurd outliers.
pub fn normal_from(key: u64) -> f64 {
    let h = mix(key);
    let sum: f64 = (0..4)
        .map(|i| ((h >> (16 * i)) & 0xFFFF) as f64 / 65535.0)
        .sum();
    (sum - 2.0) * 3f64.sqrt()
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// An independent stream derived from this generator's seed and a label, so that
    /// adding draws to one part of the world does not shift every other part.
    pub fn fork(&self, stream: u64) -> Rng {
        Rng::new(hash(&[self.state, stream]))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix(self.state)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in [lo, hi] (inclusive); `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty list (`""` for an empty one).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        if items.is_empty() {
            return "";
        }
        items[self.range(0, items.len() as i64 - 1) as usize]
    }

    /// `n` lowercase hex digits (commit shas).
    pub fn hex(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            out.push(DIGITS[(bits & 0xF) as usize] as char);
            bits >>= 4;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_stream() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn ranges_stay_inside_their_bounds() {
        let mut r = Rng::new(7);
        for _ in 0..10_000 {
            let v = r.range(3, 9);
            assert!((3..=9).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.range(5, 5), 5);
        assert_eq!(r.range(5, 1), 5);
    }

    #[test]
    fn normal_has_unit_variance_roughly() {
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|i| normal_from(hash(&[1, i]))).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "var {var}");
    }

    #[test]
    fn forks_differ_and_hex_has_the_asked_length() {
        let base = Rng::new(42);
        let mut a = base.fork(1);
        let mut b = base.fork(2);
        assert_ne!(a.next_u64(), b.next_u64());
        let sha = Rng::new(1).hex(40);
        assert_eq!(sha.len(), 40);
        assert!(sha.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
