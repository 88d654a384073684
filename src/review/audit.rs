//! The review audit log (DESIGN §6): every review event (checks, notes, decisions,
//! items, sends) is a record carrying the SHA-256 of the record before it, so editing,
//! deleting or reordering any record breaks the chain at a record `verify` names.
//! Pure: hashing and verifying; the store appends and reads.
//!
//! A record's hash covers its sequence number, time, review, kind, detail and the
//! previous record's hash, each length-prefixed (so no two field lists hash alike).
//! What the chain cannot tell by itself: records cut off at the end of the log (the
//! last hash is then simply older); `flightdeck review verify` prints the head hash
//! and the count so they can be compared with a copy kept elsewhere.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// 1, 2, 3 … with no gap.
    pub seq: i64,
    /// Unix milliseconds.
    pub at_ms: i64,
    pub review_id: String,
    /// `start`, `check`, `note`, `finding`, `item`, `send`, `decision`.
    pub kind: String,
    pub detail: String,
    /// The previous record's hash (hex), [`GENESIS`] for the first.
    pub prev: String,
    /// This record's hash (hex).
    pub hash: String,
}

/// SHA-256 (hex) of a record's fields chained to `prev`.
pub fn record_hash(
    prev: &str,
    seq: i64,
    at_ms: i64,
    review_id: &str,
    kind: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [
        prev.as_bytes(),
        &seq.to_be_bytes(),
        &at_ms.to_be_bytes(),
        review_id.as_bytes(),
        kind.as_bytes(),
        detail.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The first record that does not check out (its `seq` as stored).
    pub seq: i64,
    /// Its position in the log, 1-based.
    pub position: usize,
    pub why: &'static str,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the chain is broken at record {} (position {}): {}",
            self.seq, self.position, self.why
        )
    }
}

/// Checks the records in stored order; `Ok` with the head hash (GENESIS when empty).
pub fn verify(records: &[AuditRecord]) -> Result<String, Broken> {
    let mut prev = GENESIS.to_string();
    for (i, r) in records.iter().enumerate() {
        let broken = |why| Broken {
            seq: r.seq,
            position: i + 1,
            why,
        };
        if r.seq != i as i64 + 1 {
            return Err(broken(
                "out of sequence (a record was deleted, added or moved)",
            ));
        }
        if r.prev != prev {
            return Err(broken("it does not carry the hash of the record before it"));
        }
        if r.hash != record_hash(&r.prev, r.seq, r.at_ms, &r.review_id, &r.kind, &r.detail) {
            return Err(broken("its content does not match its hash (edited)"));
        }
        prev = r.hash.clone();
    }
    Ok(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST FIPS 180-2 test vectors: the hash is SHA-256 itself.
    #[test]
    fn sha256_matches_the_nist_vectors() {
        let sha = |b: &[u8]| hex(&Sha256::digest(b));
        assert_eq!(
            sha(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let detail = format!("item {seq}");
                let hash = record_hash(&prev, seq, seq * 1000, "r1", "check", &detail);
                let r = AuditRecord {
                    seq,
                    at_ms: seq * 1000,
                    review_id: "r1".into(),
                    kind: "check".into(),
                    detail,
                    prev: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let c = chain(5);
        assert_eq!(verify(&c), Ok(c[4].hash.clone()));
        assert_eq!(verify(&[]), Ok(GENESIS.to_string()));
    }

    /// Every single-record edit, deletion and swap is named at the right record.
    #[test]
    fn any_edit_delete_or_reorder_is_named() {
        let c = chain(6);
        for i in 0..c.len() {
            for field in 0..4 {
                let mut t = c.clone();
                match field {
                    0 => t[i].detail.push('!'),
                    1 => t[i].at_ms += 1,
                    2 => t[i].kind = "note".into(),
                    _ => t[i].review_id = "r2".into(),
                }
                let e = verify(&t).expect_err("edit");
                assert_eq!(e.seq, i as i64 + 1, "field {field} of record {i}");
            }
            let mut t = c.clone();
            t.remove(i);
            if i + 1 < c.len() {
                assert_eq!(verify(&t).expect_err("delete").position, i + 1);
            }
            if i + 1 < c.len() {
                let mut t = c.clone();
                t.swap(i, i + 1);
                assert_eq!(verify(&t).expect_err("swap").position, i + 1);
            }
        }
        // Renumbering after a delete does not hide it: the next prev is wrong.
        let mut t = c.clone();
        t.remove(2);
        for (i, r) in t.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
        }
        assert_eq!(verify(&t).expect_err("renumbered").position, 3);
    }
}
