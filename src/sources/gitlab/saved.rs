//! What the GitLab source keeps in the cache's sync state so a restart resumes where
//! the last run stopped: a watermark per project and environment (and per project's
//! incidents), and per deployment the records it is made of, its pipeline, and its
//! commits and stages once they are known (`None`: still to be asked for).

use serde::{Deserialize, Serialize};

use crate::event::SyncEntry;
use crate::model::{Change, Deployment, Stage, Ts};

/// One deployment as the source knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedGroup {
    pub project: String,
    /// As configured (the track's key), not as normalized.
    pub environment: String,
    pub pipeline: Option<u64>,
    pub records: Vec<Deployment>,
    pub commits: Option<Vec<Change>>,
    pub stages: Option<Vec<Stage>>,
}

/// The latest `updated_at` read of one listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMark {
    pub project: String,
    /// The environment of a deployments listing; `None` for incidents.
    pub environment: Option<String>,
    pub at: Ts,
}

/// What one merged merge request said: when, and the commits it brought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMerge {
    pub project: String,
    pub iid: u64,
    pub merged_at: Ts,
    pub shas: Vec<String>,
}

/// The latest `updated_at` of a project's merged merge requests read (with none of
/// them still waiting for its commits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedMergeMark {
    pub project: String,
    pub at: Ts,
}

/// A sync-state entry read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    Group(String, SavedGroup),
    Mark(SavedMark),
    Merge(SavedMerge),
    MergeMark(SavedMergeMark),
}

const MERGE: &str = "merge:";
const MERGE_MARK: &str = "merge-mark:";

impl SavedMerge {
    pub fn entry(&self) -> Option<SyncEntry> {
        Some(SyncEntry {
            key: format!("{MERGE}{}\u{1f}{}", self.project, self.iid),
            // Kept as long as the deployments whose commits it dates.
            at: Some(self.merged_at),
            json: serde_json::to_string(self).ok()?,
        })
    }
}

impl SavedMergeMark {
    pub fn entry(&self) -> Option<SyncEntry> {
        Some(SyncEntry {
            key: format!("{MERGE_MARK}{}", self.project),
            at: None,
            json: serde_json::to_string(self).ok()?,
        })
    }
}

const GROUP: &str = "group:";
const MARK: &str = "mark:";

impl SavedGroup {
    /// Kept as long as the deployment it describes (purged with it).
    pub fn entry(&self, id: &str, at: Ts) -> Option<SyncEntry> {
        Some(SyncEntry {
            key: format!("{GROUP}{id}"),
            at: Some(at),
            json: serde_json::to_string(self).ok()?,
        })
    }
}

impl SavedMark {
    /// Kept until replaced.
    pub fn entry(&self) -> Option<SyncEntry> {
        let listing = self.environment.as_deref().unwrap_or("\u{1f}incidents");
        Some(SyncEntry {
            key: format!("{MARK}{}\u{1f}{listing}", self.project),
            at: None,
            json: serde_json::to_string(self).ok()?,
        })
    }
}

/// Reads one entry; one this version cannot read is skipped (its listing is then
/// read again from the start: nothing is lost, a little is asked twice).
pub fn read(key: &str, json: &str) -> Option<Saved> {
    if let Some(id) = key.strip_prefix(GROUP) {
        return serde_json::from_str(json)
            .ok()
            .map(|g| Saved::Group(id.to_string(), g));
    }
    if key.starts_with(MARK) {
        return serde_json::from_str(json).ok().map(Saved::Mark);
    }
    if key.starts_with(MERGE_MARK) {
        return serde_json::from_str(json).ok().map(Saved::MergeMark);
    }
    if key.starts_with(MERGE) {
        return serde_json::from_str(json).ok().map(Saved::Merge);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn entries_read_back_as_written() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let mark = SavedMark {
            project: "group/app".into(),
            environment: Some("production".into()),
            at,
        };
        let e = mark.entry().expect("encodes");
        assert_eq!(e.at, None, "a watermark is never purged");
        assert_eq!(read(&e.key, &e.json), Some(Saved::Mark(mark.clone())));
        let incidents = SavedMark {
            environment: None,
            ..mark
        };
        assert_ne!(incidents.entry().expect("encodes").key, e.key);
        let group = SavedGroup {
            project: "group/app".into(),
            environment: "production".into(),
            pipeline: Some(36),
            records: Vec::new(),
            commits: None,
            stages: Some(Vec::new()),
        };
        let e = group
            .entry("gitlab:pipeline:36:production", at)
            .expect("encodes");
        assert_eq!(e.at, Some(at));
        assert_eq!(
            read(&e.key, &e.json),
            Some(Saved::Group("gitlab:pipeline:36:production".into(), group))
        );
        assert_eq!(read("other:x", "{}"), None);
        assert_eq!(read(&e.key, "not json"), None);
    }
}
