//! Which fetches the cache writer may skip: one that brought exactly what the same
//! source's previous saved fetch brought. At a 1 s refresh an idle service fetches
//! the same figures every second; writing them again only moves the watermark and
//! wears the disk. What changed is still saved at once, in the same transaction as
//! before, so the cache is exactly as durable.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hasher};

use crate::event::SourceData;
use crate::model::fnv::Fnv;

/// The last saved fetch's fingerprint per source.
#[derive(Default)]
pub struct Unchanged {
    saved: HashMap<String, Fingerprint>,
}

/// Two independent 64-bit hashes of the fetch's full text: a collision would skip a
/// save that was needed, so 128 bits keep that out of reach.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Fingerprint(u64, u64);

impl Unchanged {
    /// Whether `data` is exactly what `source` saved last.
    pub fn is_unchanged(&self, source: &str, data: &[SourceData]) -> bool {
        self.saved.get(source) == Some(&fingerprint(data))
    }

    /// Records a save that succeeded (a failed one must be tried again).
    pub fn saved(&mut self, source: &str, data: &[SourceData]) {
        self.saved.insert(source.to_string(), fingerprint(data));
    }
}

/// Hashes the Debug text, which spells every field and every float exactly
/// (shortest round-trip form), streamed so that no copy of it is built.
fn fingerprint(data: &[SourceData]) -> Fingerprint {
    struct Both(Fnv, DefaultHasher);
    impl std::fmt::Write for Both {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            self.1.write(s.as_bytes());
            Ok(())
        }
    }
    let mut both = Both(Fnv::default(), DefaultHasher::new());
    let _ = write!(both, "{data:?}");
    Fingerprint(both.0.finish(), both.1.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Series, SeriesKind, WindowRatios};

    fn fetch(ratio: f64, last_point: f64) -> Vec<SourceData> {
        vec![
            SourceData::Services(vec!["api".into()]),
            SourceData::Ratios {
                service: "api".into(),
                ratios: WindowRatios {
                    m5: Some(ratio),
                    ..WindowRatios::default()
                },
            },
            SourceData::Series {
                service: "api".into(),
                kind: SeriesKind::ErrorRatio,
                series: Series {
                    query: "q".into(),
                    points: vec![(chrono::DateTime::UNIX_EPOCH, last_point)],
                },
            },
        ]
    }

    #[test]
    fn only_an_identical_fetch_of_the_same_source_is_unchanged() {
        let mut u = Unchanged::default();
        assert!(
            !u.is_unchanged("prometheus", &fetch(0.1, 1.0)),
            "nothing saved yet"
        );
        u.saved("prometheus", &fetch(0.1, 1.0));
        assert!(u.is_unchanged("prometheus", &fetch(0.1, 1.0)));
        assert!(!u.is_unchanged("gitlab", &fetch(0.1, 1.0)));
        // The smallest changes anywhere: one ulp of a ratio, a series' last point.
        let next = f64::from_bits(0.1f64.to_bits() + 1);
        assert!(!u.is_unchanged("prometheus", &fetch(next, 1.0)));
        assert!(!u.is_unchanged("prometheus", &fetch(0.1, 1.0 + f64::EPSILON)));
        assert!(!u.is_unchanged("prometheus", &fetch(0.1, 1.0)[..2]));
    }
}
