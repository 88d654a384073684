//! Random (version 4) UUIDs for reviews and outbox items, from the kernel's random
//! source: sixteen bytes do not justify a crate.

use std::io::Read;

/// A new UUID, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
pub fn new_v4() -> std::io::Result<String> {
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(format_v4(b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_version_4_and_differ() {
        let a = super::new_v4().expect("urandom");
        let b = super::new_v4().expect("urandom");
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        let mut ids = super::Ids::seeded([7; 32]);
        let (x, y) = (ids.next_v4(), ids.next_v4());
        assert_ne!(x, y);
        assert_eq!(&x[14..15], "4");
        assert_eq!(
            super::Ids::seeded([7; 32]).next_v4(),
            x,
            "pure: same seed, same ids"
        );
    }
}

/// UUIDs without I/O, for the app (which must not read files in its update): a
/// random seed read once at start, then SHA-256 of the seed and a counter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ids {
    seed: [u8; 32],
    next: u64,
}

impl Ids {
    pub fn seeded(seed: [u8; 32]) -> Self {
        Ids { seed, next: 0 }
    }

    /// A seed from the kernel's random source (zeros if it cannot be read: ids then
    /// repeat across runs, which the outbox's `INSERT OR IGNORE` would refuse rather
    /// than double-send).
    pub fn from_os() -> Self {
        let mut seed = [0u8; 32];
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            let _ = f.read_exact(&mut seed);
        }
        Ids::seeded(seed)
    }

    pub fn next_v4(&mut self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.next.to_be_bytes());
        self.next += 1;
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        format_v4(b)
    }
}

fn format_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
