//! FNV-1a: a fast, deterministic hash for short keys (ids, service names, shas). The
//! standard SipHash guards against adversarial keys, which cost more than it saves
//! here: these keys index the model's own data, and a collision is only slower.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// The hash of a commit sha. Equal shas have equal hashes; equal hashes are confirmed
/// on the shas before two commits are taken for one.
pub fn sha_hash(sha: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(sha.as_bytes());
    h.finish()
}
