//! The Jenkins source: for each configured deploy job, the builds that are new since
//! the last fetch, and the running ones again until they finish.
//!
//! The first sync reads up to `history_builds` builds, newest first, in pages:
//! `builds{M,N}` inside the newest 100 and `allBuilds{M,N}` past them. Later fetches
//! ask for a small page of the newest builds and walk further back only until they
//! reach the last build already seen (or the oldest one still running), so an
//! unchanged job costs one request per poll. A running build keeps its id, so when
//! it finishes the app updates it in place: never counted twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tokio::sync::Mutex;

use super::api::Build;
use super::client::{BuildRange, JenkinsClient};
use super::map::{commits_without_time, map_build, stages, SOURCE};
use super::path::display_name;
use crate::config::{JenkinsConfig, JenkinsJob};
use crate::event::{SourceData, SourceError, SourceErrorKind};
use crate::model::outside::OutsideText;
use crate::model::{DeployStatus, Deployment, Rejected};
use crate::sources::poller::Fetched;
use crate::sources::FetchError;

/// Builds per request on the first sync (the most `builds` holds).
const FIRST_SYNC_PAGE: u64 = 100;
/// Builds per request afterwards: one small request when nothing much changed.
const LATER_PAGE: u64 = 20;
/// Runs whose stages are read per job and fetch (one request each), newest first.
pub const STAGE_READS_PER_FETCH: usize = 20;

/// What the source remembers of a job between fetches (and, in the cache's sync
/// state, between runs: a restart asks only for builds newer than `last_seen`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobState {
    /// The newest build number seen; `None` before the first sync.
    pub last_seen: Option<u64>,
    /// Builds that were running when last seen: asked for again until they finish.
    pub running: BTreeSet<u64>,
    /// The latest successful deployments (environment, sha, finish), oldest first:
    /// a build that deploys an older sha again is a rollback.
    #[serde(default)]
    pub deployed: Vec<(String, String, crate::model::Ts)>,
}

/// Successful deployments remembered per job for rollback detection.
const DEPLOYED_KEPT: usize = 200;

impl JobState {
    /// Marks rollbacks among `deployments` (any order) and remembers their successes.
    fn learn_kinds(&mut self, deployments: &mut [(u64, Deployment)]) {
        let mut order: Vec<usize> = (0..deployments.len()).collect();
        order.sort_by_key(|i| deployments[*i].0);
        for i in order {
            let d = &mut deployments[i].1;
            let successes: BTreeMap<(crate::model::Ts, String), String> = self
                .deployed
                .iter()
                .filter(|(env, _, _)| *env == d.environment)
                .enumerate()
                .map(|(n, (_, sha, at))| ((*at, n.to_string()), sha.clone()))
                .collect();
            let earliest = |sha: &str| {
                successes
                    .iter()
                    .find(|(_, s)| s.as_str() == sha)
                    .map(|((at, _), _)| *at)
            };
            if crate::sources::kind::is_rollback(&successes, earliest, &d.sha, d.started_at) {
                d.kind = crate::model::DeployKind::Rollback;
            }
            if let (DeployStatus::Success, Some(at)) = (d.status, d.finished_at) {
                self.deployed
                    .push((d.environment.clone(), d.sha.clone(), at));
            }
        }
        self.deployed.sort_by_key(|(_, _, at)| *at);
        let excess = self.deployed.len().saturating_sub(DEPLOYED_KEPT);
        self.deployed.drain(..excess);
    }
}

impl JobState {
    /// The walk back stops once it reaches this build number.
    fn stop_at(&self) -> Option<u64> {
        self.running.iter().copied().chain(self.last_seen).min()
    }

    /// Whether `number` is news: newer than what was seen, or still running.
    fn wants(&self, number: u64) -> bool {
        self.last_seen.is_none_or(|seen| number > seen) || self.running.contains(&number)
    }
}

/// What one job's fetch produced, and the state to keep if the whole fetch succeeds.
struct JobFetch {
    /// With their build numbers, newest first.
    deployments: Vec<(u64, Deployment)>,
    rejected: Vec<Rejected>,
    warnings: Vec<String>,
    state: JobState,
    requests: usize,
}

pub struct JenkinsSource {
    client: JenkinsClient,
    config: JenkinsConfig,
    aliases: BTreeMap<String, String>,
    hotfix: crate::sources::kind::HotfixRules,
    /// Per job name. Updated only when a whole fetch succeeded, so a failed fetch
    /// loses nothing: the next one asks again.
    state: Mutex<HashMap<String, JobState>>,
    /// Requests made by the last fetch (for tests and the closing note's counts).
    last_requests: std::sync::atomic::AtomicUsize,
    /// The cache whose sync state the first fetch resumes from.
    cache: Option<std::path::PathBuf>,
    seeded: std::sync::atomic::AtomicBool,
}

/// The sync-state key of a job.
fn job_key(job: &str) -> String {
    format!("job:{job}")
}

impl JenkinsSource {
    pub fn new(
        config: &JenkinsConfig,
        aliases: &BTreeMap<String, String>,
    ) -> Result<Self, SourceError> {
        Ok(JenkinsSource {
            client: JenkinsClient::new(config)?,
            config: config.clone(),
            aliases: aliases.clone(),
            hotfix: crate::sources::kind::HotfixRules::new(
                config.hotfix_ref_pattern.as_deref(),
                config.hotfix_version_pattern.as_deref(),
            ),
            state: Mutex::new(HashMap::new()),
            last_requests: Default::default(),
            cache: None,
            seeded: Default::default(),
        })
    }

    /// Resumes from the job states saved in the cache at `path` (when there is one).
    pub fn with_cache(mut self, path: Option<std::path::PathBuf>) -> Self {
        self.cache = path;
        self
    }

    /// Reads each configured job's saved state, once, before the first fetch. An
    /// unreadable cache only means a first sync again (nothing lost).
    async fn seed(&self) {
        use std::sync::atomic::Ordering;
        if self.seeded.swap(true, Ordering::Relaxed) {
            return;
        }
        let Some(path) = self.cache.clone() else {
            return;
        };
        let saved = crate::store::load_sync_state(path, SOURCE.to_string())
            .await
            .unwrap_or_default();
        let mut state = self.state.lock().await;
        for job in &self.config.jobs {
            let key = job_key(&job.job);
            let found = saved.iter().find(|(k, _)| *k == key);
            if let Some(s) = found.and_then(|(_, json)| serde_json::from_str::<JobState>(json).ok())
            {
                state.entry(job.job.clone()).or_insert(s);
            }
        }
    }

    pub fn client(&self) -> &JenkinsClient {
        &self.client
    }

    /// How many requests the last successful fetch made.
    pub fn last_request_count(&self) -> usize {
        self.last_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Fetches every job. An auth, network or server failure fails the fetch; a job
    /// that is not found is a warning, so the other jobs still show.
    pub async fn fetch(&self) -> Result<Fetched, FetchError> {
        self.seed().await;
        let known = self.state.lock().await.clone();
        let mut fetched = Fetched::default();
        let mut deployments = Vec::new();
        let mut rejected = Vec::new();
        let mut new_states = Vec::new();
        let mut requests = 0;
        for job in &self.config.jobs {
            let state = known.get(&job.job).cloned().unwrap_or_default();
            match self.fetch_job(job, state).await {
                Ok(r) => {
                    deployments.extend(r.deployments.into_iter().map(|(_, d)| d));
                    rejected.extend(r.rejected);
                    push_warnings(&mut fetched.warnings, r.warnings);
                    requests += r.requests;
                    new_states.push((job.job.clone(), r.state));
                }
                Err(e) if e.kind == SourceErrorKind::Config => {
                    requests += 1;
                    push_warnings(&mut fetched.warnings, vec![e.error.message.to_string()]);
                }
                Err(e) => return Err(e),
            }
        }
        let entries: Vec<crate::event::SyncEntry> = new_states
            .iter()
            .filter_map(|(job, state)| {
                Some(crate::event::SyncEntry {
                    key: job_key(job),
                    at: None,
                    json: serde_json::to_string(state).ok()?,
                })
            })
            .collect();
        self.state.lock().await.extend(new_states);
        self.last_requests
            .store(requests, std::sync::atomic::Ordering::Relaxed);
        fetched.data.push(SourceData::Deployments(deployments));
        // Saved with the deployments, in one transaction: never ahead of them.
        fetched.data.push(SourceData::SyncState(entries));
        if !rejected.is_empty() {
            fetched.data.push(SourceData::Rejected(rejected));
        }
        Ok(fetched)
    }

    async fn fetch_job(&self, job: &JenkinsJob, state: JobState) -> Result<JobFetch, FetchError> {
        let (builds, is_pipeline, mut requests) = self.walk(job, &state).await?;
        let mut out = JobFetch {
            deployments: Vec::new(),
            rejected: Vec::new(),
            warnings: Vec::new(),
            state: JobState {
                last_seen: builds.keys().next_back().copied().max(state.last_seen),
                running: BTreeSet::new(),
                deployed: state.deployed.clone(),
            },
            requests: 0,
        };
        let mut untimed = 0;
        // Newest first, so the stage reads go to the builds a user looks at.
        for (number, build) in builds.iter().rev() {
            if !state.wants(*number) {
                continue;
            }
            untimed += commits_without_time(build);
            match map_build(job, build, &self.aliases) {
                Ok(d) => {
                    if d.status == DeployStatus::Running {
                        out.state.running.insert(*number);
                    }
                    out.deployments.push((*number, d));
                }
                Err(r) => out.rejected.push(r),
            }
        }
        for (_, d) in &mut out.deployments {
            let branch = job.job.rsplit('/').next().map(|b| b.replace("%2F", "/"));
            if self.hotfix.is_hotfix(branch.as_deref(), &d.version) {
                d.kind = crate::model::DeployKind::Hotfix;
            }
        }
        out.state.learn_kinds(&mut out.deployments);
        let name = display_name(&job.job);
        if untimed > 0 {
            out.warnings.push(format!(
                "job {name}: {untimed} commit(s) without an id or a time were left out of lead time"
            ));
        }
        if is_pipeline {
            let mut unread = 0;
            for (i, (number, d)) in out.deployments.iter_mut().enumerate() {
                if i >= STAGE_READS_PER_FETCH {
                    unread += 1;
                    continue;
                }
                requests += 1;
                match self.client.stages(&job.job, *number).await {
                    Ok(Some(description)) => d.stages = stages(&description),
                    Ok(None) => {}
                    Err(e) if e.kind == SourceErrorKind::Auth => return Err(e),
                    Err(e) => out
                        .warnings
                        .push(format!("job {name} #{number}: stages not read: {e}")),
                }
            }
            if unread > 0 {
                out.warnings.push(format!(
                    "job {name}: stages of {unread} older build(s) were not read \
                     (at most {STAGE_READS_PER_FETCH} per fetch)"
                ));
            }
        }
        out.requests = requests;
        Ok(out)
    }

    /// Reads builds newest first until the walk reaches what is already known, the
    /// job has no more, or the first sync's `history_builds` are read.
    async fn walk(
        &self,
        job: &JenkinsJob,
        state: &JobState,
    ) -> Result<(BTreeMap<u64, Build>, bool, usize), FetchError> {
        let first_sync = state.last_seen.is_none();
        let page = if first_sync {
            FIRST_SYNC_PAGE
        } else {
            LATER_PAGE
        };
        let cap = if first_sync {
            u64::from(self.config.history_builds)
        } else {
            u64::MAX
        };
        let stop_at = state.stop_at();
        let mut builds = BTreeMap::new();
        let mut is_pipeline = false;
        let mut requests = 0;
        let mut start = 0;
        loop {
            let end = (start + page).min(cap);
            let answer = self
                .client
                .builds(&job.job, BuildRange { start, end })
                .await?;
            requests += 1;
            is_pipeline |= answer.is_pipeline();
            let list = answer.into_builds();
            let full = list.len() as u64 >= end - start;
            let mut reached = false;
            for build in list {
                match build.number {
                    Some(n) => {
                        reached |= stop_at.is_some_and(|s| n <= s);
                        // A build that started between two pages shifts the ranges
                        // by one: the same build twice is kept once.
                        builds.entry(n).or_insert(build);
                    }
                    // Without a number it cannot be tracked; mapped once, rejected.
                    None if first_sync => {
                        builds.entry(0).or_insert(build);
                    }
                    None => {}
                }
            }
            if !full || reached || end >= cap {
                break;
            }
            start = end;
        }
        Ok((builds, is_pipeline, requests))
    }
}

fn push_warnings(into: &mut Vec<OutsideText>, warnings: Vec<String>) {
    for w in warnings
        .into_iter()
        .map(|w| OutsideText::line(&format!("{SOURCE}: {w}")))
    {
        if !into.contains(&w) {
            into.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeployKind, Trigger};
    use chrono::{Duration, TimeZone, Utc};

    fn build(n: u64, sha: &str, status: DeployStatus) -> (u64, Deployment) {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap() + Duration::hours(n as i64);
        let d = Deployment {
            id: format!("jenkins:deploy#{n}"),
            source: "jenkins".into(),
            service: "checkout".into(),
            environment: "production".into(),
            version: format!("1.0.{n}"),
            sha: sha.into(),
            status,
            started_at: at,
            finished_at: (status != DeployStatus::Running).then_some(at + Duration::minutes(5)),
            deployer: "ci".into(),
            url: None,
            commits: Vec::new(),
            stages: Vec::new(),
            canary: None,
            trigger: Trigger::Auto,
            kind: DeployKind::Normal,
        };
        (n, d)
    }

    /// Newest first, as a fetch lists them; the successes are remembered across
    /// fetches (and restarts: they are in the saved state).
    #[test]
    fn a_build_that_deploys_an_older_sha_again_is_a_rollback() {
        use DeployStatus::*;
        let mut state = JobState::default();
        let mut first = vec![
            build(3, "a", Success),
            build(2, "b", Failed),
            build(1, "a", Success),
        ];
        state.learn_kinds(&mut first);
        assert!(
            first.iter().all(|(_, d)| d.kind == DeployKind::Normal),
            "a failed b never ran"
        );
        let mut later = vec![build(5, "b", Success), build(4, "c", Success)];
        state.learn_kinds(&mut later);
        let mut again = vec![build(6, "a", Success), build(7, "a", Success)];
        state.learn_kinds(&mut again);
        let kinds: Vec<DeployKind> = again.iter().map(|(_, d)| d.kind).collect();
        assert_eq!(
            kinds,
            [DeployKind::Rollback, DeployKind::Normal],
            "then a redeploy"
        );
        assert!(later.iter().all(|(_, d)| d.kind == DeployKind::Normal));
        let saved: JobState =
            serde_json::from_str(&serde_json::to_string(&state).expect("encodes"))
                .expect("decodes");
        assert_eq!(saved, state);
    }
}
