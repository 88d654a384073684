//! What kind of deployment a record is, where the API has no word for it (DESIGN §2,
//! §3): GitLab and Jenkins know no "rolled back" status. A **rollback** is a new
//! deployment of an older sha: one already deployed successfully to the same
//! environment before, but not the latest one there (deploying the running sha again
//! is a redeploy, not a rollback). A **hotfix** is known by the configured ref or
//! version patterns. The metrics then count both as rework and as the remediation of
//! the deployment they followed, exactly as for any source.

use std::collections::BTreeMap;

use crate::model::{DeployKind, Ts};

/// `hotfix_ref_pattern` / `hotfix_version_pattern`: a glob (`*` any run of
/// characters, `?` one), matched against the whole text; `|` separates alternatives
/// (`hotfix/*|hf-*`). No regex engine is pulled in for this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotfixRules {
    pub ref_pattern: Option<String>,
    pub version_pattern: Option<String>,
}

impl HotfixRules {
    pub fn new(ref_pattern: Option<&str>, version_pattern: Option<&str>) -> Self {
        let clean = |p: Option<&str>| p.map(str::trim).filter(|p| !p.is_empty()).map(String::from);
        HotfixRules {
            ref_pattern: clean(ref_pattern),
            version_pattern: clean(version_pattern),
        }
    }

    pub fn is_hotfix(&self, git_ref: Option<&str>, version: &str) -> bool {
        let hit = |pattern: &Option<String>, text: Option<&str>| match (pattern, text) {
            (Some(p), Some(t)) => p.split('|').any(|alt| glob(alt.trim(), t)),
            _ => false,
        };
        hit(&self.ref_pattern, git_ref) || hit(&self.version_pattern, Some(version))
    }
}

/// Whole-text glob match: `*` any run (also empty), `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text position it was tried at (backtracking).
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether a deployment of `sha` starting at `started` is a rollback, given the
/// successful deployments of the same environment as (finish, id) → sha. Only those
/// finished before it started count ("before"); the latest of them is what runs.
pub fn is_rollback(
    successes: &BTreeMap<(Ts, String), String>,
    earliest_finish_of: impl Fn(&str) -> Option<Ts>,
    sha: &str,
    started: Ts,
) -> bool {
    let Some((_, running)) = successes.range(..(started, String::new())).next_back() else {
        return false;
    };
    running != sha && earliest_finish_of(sha).is_some_and(|first| first < started)
}

/// The kind: a rollback first (it says more than the ref it came from), then a
/// hotfix by the patterns, else normal.
pub fn kind(rollback: bool, hotfix: bool) -> DeployKind {
    if rollback {
        DeployKind::Rollback
    } else if hotfix {
        DeployKind::Hotfix
    } else {
        DeployKind::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn globs_match_the_whole_text() {
        assert!(glob("hotfix/*", "hotfix/login"));
        assert!(glob("hotfix/*", "hotfix/"));
        assert!(!glob("hotfix/*", "main"));
        assert!(!glob("hotfix/*", "x-hotfix/a"), "anchored at the start");
        assert!(glob("*-hotfix*", "1.4.2-hotfix.1"));
        assert!(glob("v?.?.?", "v1.4.2"));
        assert!(!glob("v?.?.?", "v1.4.12"));
        assert!(glob("*a*b*", "xxaxxbxx"));
        assert!(!glob("*a*b", "xxaxxbxxc"));
        assert!(glob("*", ""));
        assert!(!glob("", "a"));
    }

    #[test]
    fn a_hotfix_is_known_by_its_ref_or_its_version() {
        let rules = HotfixRules::new(Some("hotfix/*|hf-*"), Some("*-hotfix*"));
        assert!(rules.is_hotfix(Some("hotfix/login"), "hotfix/login@abc"));
        assert!(rules.is_hotfix(Some("hf-12"), "x"));
        assert!(rules.is_hotfix(Some("main"), "1.4.2-hotfix.1"));
        assert!(!rules.is_hotfix(Some("main"), "main@abcdef12"));
        assert!(!rules.is_hotfix(None, "1.4.2"));
        let none = HotfixRules::new(None, Some("  "));
        assert!(!none.is_hotfix(Some("hotfix/x"), "1.0-hotfix"));
    }

    #[test]
    fn a_rollback_redeploys_an_older_sha_not_the_running_one() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let h = |n: i64| t0 + Duration::hours(n);
        let mut successes = BTreeMap::new();
        successes.insert((h(1), "d1".to_string()), "a".to_string());
        successes.insert((h(2), "d2".to_string()), "b".to_string());
        let first = |sha: &str| match sha {
            "a" => Some(h(1)),
            "b" => Some(h(2)),
            _ => None,
        };
        assert!(is_rollback(&successes, first, "a", h(3)), "back to a");
        assert!(
            !is_rollback(&successes, first, "b", h(3)),
            "b runs: a redeploy"
        );
        assert!(!is_rollback(&successes, first, "c", h(3)), "new sha");
        // Before b finished, a was running: deploying a then is no rollback.
        assert!(!is_rollback(
            &successes,
            first,
            "a",
            h(1) + Duration::minutes(30)
        ));
        assert!(!is_rollback(&BTreeMap::new(), |_| None, "a", h(3)));
        assert_eq!(kind(true, true), DeployKind::Rollback);
        assert_eq!(kind(false, true), DeployKind::Hotfix);
        assert_eq!(kind(false, false), DeployKind::Normal);
    }
}
