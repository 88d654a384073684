//! When each commit was merged (API-NOTES §2.7), for merge-based lead time: the
//! merged merge requests, read incrementally by `updated_after` (there is no
//! `merged_after`; Grape ignores unknown parameters silently), and the commits of each.

use std::collections::HashMap;

use super::api::{ApiCommit, ApiMergeRequest};
use super::map::time;
use crate::model::{Change, Ts};

/// Merge requests whose commits one poll may ask for; the rest follow.
pub const MR_COMMIT_LISTS_PER_FETCH: usize = 100;

/// Commit sha → when the merge request that brought it was merged.
#[derive(Debug, Default)]
pub struct MergedAt {
    pub by_sha: HashMap<String, Ts>,
}

impl MergedAt {
    /// Records what a merged MR says of itself (its head, merge and squash commits)
    /// and of its own commits, and returns what was learnt (to keep in the cache). An
    /// MR without `merged_at` is not merged: ignored.
    pub fn learn(
        &mut self,
        mr: &ApiMergeRequest,
        commits: &[ApiCommit],
    ) -> Option<(Ts, Vec<String>)> {
        let merged = time(&mr.merged_at).ok().flatten()?;
        let own = [&mr.sha, &mr.merge_commit_sha, &mr.squash_commit_sha];
        let listed = commits.iter().map(|c| &c.id);
        let shas: Vec<String> = own
            .into_iter()
            .chain(listed)
            .filter_map(|s| s.as_deref())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        self.learn_shas(merged, &shas);
        Some((merged, shas))
    }

    /// `shas` were merged at `merged` (read back from the cache, or just learnt).
    pub fn learn_shas(&mut self, merged: Ts, shas: &[String]) {
        for sha in shas {
            // A commit in several MRs (a cherry-pick): the first merge shipped it.
            let at = self.by_sha.entry(sha.clone()).or_insert(merged);
            *at = (*at).min(merged);
        }
    }

    /// Sets `merged_at` on the changes whose merge is known.
    pub fn fill(&self, changes: &mut [Change]) {
        for c in changes {
            if let Some(at) = self.by_sha.get(&c.sha) {
                c.merged_at = Some(*at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn commit(id: &str) -> ApiCommit {
        ApiCommit {
            id: Some(id.into()),
            ..Default::default()
        }
    }

    fn change(sha: &str) -> Change {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        Change {
            sha: sha.into(),
            title: String::new(),
            author: String::new(),
            authored_at: t,
            committed_at: t,
            merged_at: None,
        }
    }

    #[test]
    fn every_commit_an_mr_brought_gets_its_merge_time_and_unmerged_mrs_none() {
        let mut m = MergedAt::default();
        let mr = ApiMergeRequest {
            iid: Some(3),
            merged_at: Some("2026-03-01T12:00:00Z".into()),
            sha: Some("head".into()),
            merge_commit_sha: Some("merge".into()),
            ..Default::default()
        };
        m.learn(&mr, &[commit("a"), commit("head")]);
        let open = ApiMergeRequest {
            merged_at: None,
            ..mr.clone()
        };
        m.learn(&open, &[commit("b")]);
        // A cherry-pick merged earlier elsewhere keeps its first merge.
        let earlier = ApiMergeRequest {
            merged_at: Some("2026-03-01T10:00:00Z".into()),
            ..Default::default()
        };
        m.learn(&earlier, &[commit("a")]);
        let mut changes = vec![change("a"), change("head"), change("merge"), change("b")];
        m.fill(&mut changes);
        let merged: Vec<Option<String>> = changes
            .iter()
            .map(|c| c.merged_at.map(|t| t.format("%H:%M").to_string()))
            .collect();
        assert_eq!(
            merged,
            [
                Some("10:00".into()),
                Some("12:00".into()),
                Some("12:00".into()),
                None
            ]
        );
    }
}
