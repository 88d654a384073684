//! The GitLab source: per configured project and environment, the deployments changed
//! since the last poll (`order_by=updated_at&sort=asc&updated_after=<watermark>`),
//! and the commits each successful deployment shipped (the compare API between it and
//! the previous successful deployment of that environment; the paginated commits list
//! when the compare is truncated).
//!
//! What a poll learnt stays in the source: the watermark, the successes in order and
//! the commits found, so a poll of an unchanged project costs one request and a
//! record seen again (its status moved) keeps its commits. It is also sent to the
//! cache as sync state (beside the deployments it describes, in one transaction), and
//! a source given the cache's path resumes from it: a restart asks only for what
//! changed. A long listing delivers each page's deployments as it comes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use chrono::Duration;
use tokio::sync::Mutex;

use super::api::{ApiCommit, ApiCompare, ApiDeployment, ApiIssue, ApiJob, ApiMergeRequest};
use super::client::{project_path, GitLabClient};
use super::map::{self, Origin};
use super::saved::{self, Saved, SavedGroup, SavedMark, SavedMerge, SavedMergeMark};
use super::{group, incidents, merges, stages};
use crate::config::{GitLabAuth, GitLabConfig, GitLabProject};
use crate::event::{SourceData, SourceError, SourceErrorKind, SyncEntry};
use crate::model::outside::OutsideText;
use crate::model::{Change, DeployStatus, Deployment, Incident, Rejected, Stage, Ts};
use crate::net::secret::SecretSource;
use crate::net::Auth;
use crate::sources::poller::Fetched;
use crate::sources::progress::{Counts, ProgressSink};
use crate::sources::FetchError;

/// Commits are looked up for deployments that finished this recently (the metrics
/// look back 30 days by default, the cache keeps 90): a first sync of years of
/// history does not ask for thousands of compares nobody reads.
pub const COMMITS_DAYS: i64 = 90;

/// Compares one poll may ask for; the rest wait for the next poll (their
/// deployments are shown at once, their commits follow).
pub const COMPARES_PER_FETCH: usize = 200;

/// Pages of the commits list read for one truncated compare (10,000 commits).
pub const MAX_COMMIT_PAGES: usize = 100;

/// Pipelines whose jobs one poll may ask for (stage durations); the rest follow.
pub const JOB_LISTS_PER_FETCH: usize = 200;

pub struct GitLabSource {
    client: GitLabClient,
    config: GitLabConfig,
    aliases: BTreeMap<String, String>,
    hotfix: crate::sources::kind::HotfixRules,
    /// Resolved on first use and again after an auth failure (a rotated token).
    auth: Mutex<Option<Auth>>,
    state: Mutex<SyncState>,
    /// The cache whose sync state the first fetch resumes from.
    cache: Option<PathBuf>,
    /// Where a long listing reports its pages as they come.
    progress: Option<ProgressSink>,
}

#[derive(Default)]
struct SyncState {
    /// The cache's sync state was read (once, before the first fetch).
    seeded: bool,
    /// By project index and environment name as configured.
    tracks: HashMap<(usize, String), Track>,
    /// Rejections already reported (the app keeps a list; each is sent once).
    rejected: HashSet<(String, String)>,
    /// By project index: the latest `updated_at` of its incidents read.
    incident_marks: HashMap<usize, Option<Ts>>,
    /// By project index: what its merged merge requests say (merge_requests = true).
    merges: HashMap<usize, MergeTrack>,
}

/// What is known of one project's merged merge requests.
#[derive(Default)]
struct MergeTrack {
    /// The latest `updated_at` read.
    mark: Option<Ts>,
    merged: merges::MergedAt,
    /// Merged MRs whose commits are still to be asked for.
    due: Vec<ApiMergeRequest>,
    /// MRs whose commits are known: one read again (the watermark's second) costs
    /// no request.
    learned: HashSet<u64>,
}

/// What is known of one project's environment.
#[derive(Default)]
struct Track {
    /// The latest `updated_at` read.
    watermark: Option<Ts>,
    /// Successful deployments in finishing order: (finished_at, id) → sha.
    successes: BTreeMap<(Ts, String), String>,
    /// The key in `successes` of each deployment id there.
    success_keys: HashMap<String, (Ts, String)>,
    /// The keys in `successes` by sha: whether (and since when) a sha was deployed.
    sha_keys: HashMap<String, BTreeSet<(Ts, String)>>,
    /// Successes whose commits are still to be asked for.
    pending: BTreeSet<(Ts, String)>,
    /// Commits found, by deployment id.
    commits: HashMap<String, Vec<Change>>,
    /// The latest mapped record of each deployment, to send again with its commits.
    deployments: HashMap<String, Deployment>,
    /// The records of each deployment (one per parallel deploy job of a pipeline),
    /// by record id: a record seen again replaces itself.
    records: HashMap<String, HashMap<String, Deployment>>,
    /// The pipeline of each deployment that came from one.
    pipelines: HashMap<String, u64>,
    /// Deployments whose pipeline's jobs are to be asked for, with their start: new
    /// ones, and those whose status or finish moved since the jobs were read.
    stages_due: HashMap<String, Ts>,
    /// Stages from the pipeline's jobs, by deployment id (they replace the deploy
    /// job's one stage).
    stages: HashMap<String, Vec<Stage>>,
    /// Deployments whose latest state has not reached the app (and the cache) yet:
    /// cleared only when a fetch that carries them succeeds, so a fetch that fails
    /// half-way loses nothing it had read.
    unsent: BTreeSet<String>,
}

/// What one project's environment produced in one poll.
#[derive(Default)]
struct TrackResult {
    deployments: Vec<Deployment>,
    /// The sync state of those deployments and the watermark.
    entries: Vec<SyncEntry>,
    rejected: Vec<Rejected>,
    warnings: Vec<String>,
}

impl GitLabSource {
    /// Whether `e` ends the whole fetch: an error every other request would meet too
    /// (auth, network, rate limit, server). An auth failure also forgets the token, so
    /// a rotated one is read again at the next poll.
    async fn ends_the_fetch(&self, e: &SourceError) -> bool {
        if !affects_every_request(e.kind) {
            return false;
        }
        if e.kind == SourceErrorKind::Auth {
            *self.auth.lock().await = None;
        }
        true
    }

    pub fn new(
        config: &GitLabConfig,
        aliases: &BTreeMap<String, String>,
    ) -> Result<Self, SourceError> {
        Ok(Self::with_client(
            GitLabClient::new(config)?,
            config,
            aliases,
        ))
    }

    pub fn with_client(
        client: GitLabClient,
        config: &GitLabConfig,
        aliases: &BTreeMap<String, String>,
    ) -> Self {
        GitLabSource {
            client,
            config: config.clone(),
            aliases: aliases.clone(),
            hotfix: crate::sources::kind::HotfixRules::new(
                config.hotfix_ref_pattern.as_deref(),
                config.hotfix_version_pattern.as_deref(),
            ),
            auth: Mutex::new(None),
            state: Mutex::new(SyncState::default()),
            cache: None,
            progress: None,
        }
    }

    /// Resumes from the sync state saved in the cache at `path` (when there is one).
    pub fn with_cache(mut self, path: Option<PathBuf>) -> Self {
        self.cache = path;
        self
    }

    /// Reports a long listing's pages (records, pages, their deployments) to `sink`.
    pub fn with_progress(mut self, sink: ProgressSink) -> Self {
        self.progress = Some(sink);
        self
    }

    /// Reads the cache's sync state into `state`: the watermarks, and each
    /// deployment's records, commits and stages, as the last run left them.
    async fn seed(&self, state: &mut SyncState, now: Ts) {
        let Some(path) = self.cache.clone() else {
            return;
        };
        // An unreadable cache is the cache source's to report; here it only means
        // starting from scratch (everything is read again, nothing lost).
        let entries = crate::store::load_sync_state(path, map::SOURCE_ID.to_string())
            .await
            .unwrap_or_default();
        let index_of = |project: &str, environment: Option<&str>| {
            self.config.projects.iter().position(|p| {
                p.project == project
                    && environment.is_none_or(|e| p.environments.iter().any(|x| x == e))
            })
        };
        for (key, json) in entries {
            match saved::read(&key, &json) {
                Some(Saved::Group(id, g)) => {
                    if let Some(index) = index_of(&g.project, Some(&g.environment)) {
                        let track = state
                            .tracks
                            .entry((index, g.environment.clone()))
                            .or_default();
                        track.restore(id, g, now);
                    }
                }
                Some(Saved::Mark(m)) => match (
                    index_of(&m.project, m.environment.as_deref()),
                    m.environment,
                ) {
                    (Some(index), Some(environment)) => {
                        state
                            .tracks
                            .entry((index, environment))
                            .or_default()
                            .watermark = Some(m.at);
                    }
                    (Some(index), None) => {
                        state.incident_marks.insert(index, Some(m.at));
                    }
                    (None, _) => {}
                },
                Some(Saved::Merge(m)) => {
                    if let Some(index) = index_of(&m.project, None) {
                        let track = state.merges.entry(index).or_default();
                        track.merged.learn_shas(m.merged_at, &m.shas);
                        track.learned.insert(m.iid);
                    }
                }
                Some(Saved::MergeMark(m)) => {
                    if let Some(index) = index_of(&m.project, None) {
                        state.merges.entry(index).or_default().mark = Some(m.at);
                    }
                }
                None => {}
            }
        }
    }

    pub fn client(&self) -> &GitLabClient {
        &self.client
    }

    pub fn config(&self) -> &GitLabConfig {
        &self.config
    }

    /// The credentials, resolving them (env or token_cmd) when not yet known.
    pub async fn auth(&self) -> Result<Auth, SourceError> {
        let mut guard = self.auth.lock().await;
        if let Some(auth) = guard.as_ref() {
            return Ok(auth.clone());
        }
        let source = SecretSource::from_parts(
            self.config.token_env.as_deref(),
            self.config.token_cmd.as_deref(),
        );
        let auth = match source {
            None => Auth::None,
            Some(s) => {
                let token = s.resolve().await?;
                match self.config.auth {
                    GitLabAuth::PrivateToken => Auth::Header {
                        name: "PRIVATE-TOKEN".into(),
                        value: token,
                    },
                    GitLabAuth::Bearer => Auth::Bearer(token),
                }
            }
        };
        *guard = Some(auth.clone());
        Ok(auth)
    }

    /// Everything changed since the last poll, as of `now` (which bounds the commits
    /// step). A failure that concerns every request (auth, network, rate limit) fails
    /// the fetch; one project's trouble (not found, a pagination loop) is a warning
    /// naming it, and the other projects are still read.
    pub async fn fetch_at(&self, now: Ts) -> Result<Fetched, FetchError> {
        let auth = self.auth().await?;
        let mut state = self.state.lock().await;
        if !state.seeded {
            state.seeded = true;
            self.seed(&mut state, now).await;
        }
        let mut counts = Counts::default();
        let mut fetched = Fetched::default();
        let mut services: Vec<String> = Vec::new();
        let mut deployments = Vec::new();
        let mut rejected = Vec::new();
        let mut incidents = Vec::new();
        let mut sync_entries: Vec<SyncEntry> = Vec::new();
        let mut first_failure: Option<FetchError> = None;
        let (mut tracks, mut failures) = (0, 0);
        for (index, project) in self.config.projects.iter().enumerate() {
            if !services.contains(&project.service) {
                services.push(project.service.clone());
            }
            if self.config.merge_requests {
                let track = state.merges.entry(index).or_default();
                match self
                    .sync_merges(project, track, &auth, &mut sync_entries)
                    .await
                {
                    Ok(warnings) => fetched
                        .warnings
                        .extend(warnings.into_iter().map(OutsideText::from)),
                    Err(e) if self.ends_the_fetch(&e).await => return Err(e),
                    Err(e) => fetched.warnings.push(OutsideText::from(format!(
                        "{} merge requests: {e}",
                        project.project
                    ))),
                }
            }
            for environment in &project.environments {
                tracks += 1;
                let key = (index, environment.clone());
                let SyncState { tracks, merges, .. } = &mut *state;
                let track = tracks.entry(key).or_default();
                let merged = merges.get(&index).map(|m| &m.merged);
                let sync = self.sync(project, environment, track, merged, now, &auth, &mut counts);
                match sync.await {
                    Ok(result) => {
                        deployments.extend(result.deployments);
                        sync_entries.extend(result.entries);
                        rejected.extend(result.rejected);
                        fetched
                            .warnings
                            .extend(result.warnings.into_iter().map(OutsideText::from));
                    }
                    Err(e) if self.ends_the_fetch(&e).await => return Err(e),
                    Err(e) => {
                        fetched.warnings.push(OutsideText::from(format!(
                            "{} ({environment}): {e}",
                            project.project
                        )));
                        failures += 1;
                        first_failure.get_or_insert(e);
                    }
                }
            }
            if project.incidents {
                let groups = state.groups_of(index);
                let mark = state.incident_marks.entry(index).or_default();
                match self.sync_incidents(project, &groups, mark, &auth).await {
                    Ok((found, refused, warning)) => {
                        let saved_mark = mark.map(|at| SavedMark {
                            project: project.project.clone(),
                            environment: None,
                            at,
                        });
                        sync_entries.extend(saved_mark.as_ref().and_then(SavedMark::entry));
                        incidents.extend(found);
                        rejected.extend(refused);
                        fetched.warnings.extend(warning.map(OutsideText::from));
                    }
                    Err(e) if self.ends_the_fetch(&e).await => return Err(e),
                    Err(e) => fetched.warnings.push(OutsideText::from(format!(
                        "{} incidents: {e}",
                        project.project
                    ))),
                }
            }
        }
        if let Some(e) = first_failure.filter(|_| failures == tracks) {
            // Nothing worked: the source is in error, not "ok with warnings".
            return Err(e);
        }
        rejected.retain(|r: &Rejected| state.rejected.insert((r.record.clone(), r.reason.clone())));
        // The whole fetch succeeded: what it carries has been delivered.
        for track in state.tracks.values_mut() {
            track.unsent.clear();
        }
        fetched.data.push(SourceData::Services(services));
        fetched.data.push(SourceData::Deployments(deployments));
        if !sync_entries.is_empty() {
            fetched.data.push(SourceData::SyncState(sync_entries));
        }
        if self.config.projects.iter().any(|p| p.incidents) {
            fetched.data.push(SourceData::Incidents(incidents));
        }
        if !rejected.is_empty() {
            fetched.data.push(SourceData::Rejected(rejected));
        }
        Ok(fetched)
    }

    /// One project's merge requests merged since the last poll (`state=merged`,
    /// `updated_after`, filtered locally on `merged_at`), then the commits of each,
    /// up to the per-poll budget: when each commit was merged. Returns warnings.
    async fn sync_merges(
        &self,
        project: &GitLabProject,
        track: &mut MergeTrack,
        auth: &Auth,
        entries: &mut Vec<SyncEntry>,
    ) -> Result<Vec<String>, FetchError> {
        let params = changed_since(vec![("state", "merged".to_string())], track.mark);
        let base = format!("{}/merge_requests", project_path(&project.project));
        let what = format!("{} merge requests", project.project);
        let paged = self
            .client
            .pages::<ApiMergeRequest>(&base, &params, auth, &what, |_| true)
            .await?;
        let mut warnings: Vec<String> = paged
            .problem
            .map(|p| p.message.to_string())
            .into_iter()
            .collect();
        for mr in paged.items {
            if let Some(updated) = mr
                .updated_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            {
                let updated = updated.with_timezone(&chrono::Utc);
                track.mark = Some(track.mark.map_or(updated, |m| m.max(updated)));
            }
            let Some(iid) = mr.iid else { continue };
            let known = track.learned.contains(&iid) || track.due.iter().any(|d| d.iid == mr.iid);
            if mr.merged_at.is_some() && !known {
                track.due.push(mr);
            }
        }
        let take = track.due.len().min(merges::MR_COMMIT_LISTS_PER_FETCH);
        let todo: Vec<ApiMergeRequest> = track.due.drain(..take).collect();
        for (n, mr) in todo.iter().enumerate() {
            let iid = mr.iid.unwrap_or_default();
            let path = format!("{base}/{iid}/commits");
            let what = format!("merge request !{iid} commits");
            match self
                .client
                .pages::<ApiCommit>(&path, &[], auth, &what, |_| true)
                .await
            {
                Ok(commits) => {
                    if let Some((merged_at, shas)) = track.merged.learn(mr, &commits.items) {
                        let saved = SavedMerge {
                            project: project.project.clone(),
                            iid,
                            merged_at,
                            shas,
                        };
                        entries.extend(saved.entry());
                    }
                    track.learned.insert(iid);
                }
                Err(e) => {
                    warnings.push(format!(
                        "{}: when commits were merged is not known yet: {e}",
                        project.project
                    ));
                    // Asked again next poll.
                    track.due.extend(todo[n..].iter().cloned());
                    break;
                }
            }
        }
        // The mark is kept only when no MR waits for its commits: a restart then
        // reads those again instead of skipping them.
        if let Some(at) = track.mark.filter(|_| track.due.is_empty()) {
            let mark = SavedMergeMark {
                project: project.project.clone(),
                at,
            };
            entries.extend(mark.entry());
        }
        Ok(warnings)
    }

    /// One project's incidents changed since the last poll (`issue_type=incident`,
    /// incremental by `updated_after`), each `deploy::<id>` label resolved to the
    /// deployment that record belongs to (`groups`: record id → deployment id).
    async fn sync_incidents(
        &self,
        project: &GitLabProject,
        groups: &HashMap<String, String>,
        mark: &mut Option<Ts>,
        auth: &Auth,
    ) -> Result<(Vec<Incident>, Vec<Rejected>, Option<String>), FetchError> {
        let params = changed_since(
            vec![
                ("issue_type", "incident".to_string()),
                ("state", "all".to_string()),
            ],
            *mark,
        );
        let path = format!("{}/issues", project_path(&project.project));
        let what = format!("{} incidents", project.project);
        let paged = self
            .client
            .pages::<ApiIssue>(&path, &params, auth, &what, |_| true)
            .await?;
        let deployment_of = |id: u64| {
            let record = map::deployment_id(id);
            groups.get(&record).cloned().unwrap_or(record)
        };
        let (mut found, mut refused) = (Vec::new(), Vec::new());
        for issue in &paged.items {
            if let Some(updated) = issue
                .updated_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            {
                let updated = updated.with_timezone(&chrono::Utc);
                *mark = Some(mark.map_or(updated, |m| m.max(updated)));
            }
            match incidents::incident(issue, &project.project, &project.service, deployment_of) {
                Ok(i) => found.push(i),
                Err(r) => refused.push(r),
            }
        }
        Ok((found, refused, paged.problem.map(|p| p.message.to_string())))
    }

    /// One project's environment: the changed deployments, then their commits and
    /// stages. A listing of several pages delivers each page's deployments (and the
    /// sync state that covers them) to the progress sink as it comes; what is still
    /// undelivered goes into the result.
    #[allow(clippy::too_many_arguments)]
    async fn sync(
        &self,
        project: &GitLabProject,
        environment: &str,
        track: &mut Track,
        merged: Option<&merges::MergedAt>,
        now: Ts,
        auth: &Auth,
        counts: &mut Counts,
    ) -> Result<TrackResult, FetchError> {
        let params = changed_since(
            vec![("environment", environment.to_string())],
            track.watermark,
        );
        let what = format!("{} ({environment}) deployments", project.project);
        let path = format!("{}/deployments", project_path(&project.project));
        let origin = Origin {
            project: &project.project,
            service: &project.service,
            environment,
            aliases: &self.aliases,
            hotfix: &self.hotfix,
        };
        let mut result = TrackResult::default();
        let mut pager = self.client.pager(&path, &params, auth, &what);
        while let Some(page) = pager.next_page::<ApiDeployment>().await? {
            counts.pages += 1;
            counts.records += page.len() as u64;
            for record in &page {
                if let Some(updated) = record
                    .updated_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                {
                    let updated = updated.with_timezone(&chrono::Utc);
                    track.watermark = Some(track.watermark.map_or(updated, |w| w.max(updated)));
                }
                match map::deployment(record, &origin) {
                    Ok(d) => {
                        let pipeline = record
                            .deployable
                            .as_ref()
                            .and_then(|j| j.pipeline.as_ref())
                            .and_then(|p| p.id);
                        track.remember(d, pipeline, now);
                    }
                    Err(r) => result.rejected.push(r),
                }
            }
            // One page is an ordinary poll: its answer is the fetch's. From the second
            // on, this is a long sync: each page is shown (and cached) as it comes.
            if let Some(sink) = self.progress.as_ref().filter(|_| pager.pages > 1) {
                let delivered = track.take_unsent(project, environment, merged);
                sink.send(*counts, delivered).await;
            }
        }
        if let Some(problem) = pager.problem.take() {
            result.warnings.push(problem.message.to_string());
        }
        drop(pager);
        self.fill_commits(project, track, auth, &mut result.warnings)
            .await;
        self.fill_stages(project, track, auth, &mut result.warnings)
            .await;
        for id in &track.unsent {
            if let Some(mut d) = track.with_commits(id) {
                if let Some(m) = merged {
                    m.fill(&mut d.commits);
                }
                result.deployments.push(d);
            }
            result.entries.extend(
                track
                    .saved(id, project, environment)
                    .and_then(|(g, at)| g.entry(id, at)),
            );
        }
        result
            .entries
            .extend(track.mark_entry(project, environment));
        Ok(result)
    }

    /// Asks for the jobs of the pipelines due (newest deployments first, up to the
    /// per-poll budget) and makes stages of them. Returns the ids whose stages became
    /// known. A failure stops the step (retried next poll) and becomes a warning.
    async fn fill_stages(
        &self,
        project: &GitLabProject,
        track: &mut Track,
        auth: &Auth,
        warnings: &mut Vec<String>,
    ) -> Vec<String> {
        let mut due: Vec<(Ts, String)> = track
            .stages_due
            .iter()
            .map(|(id, at)| (*at, id.clone()))
            .collect();
        due.sort_unstable_by(|a, b| b.cmp(a));
        let mut filled = Vec::new();
        for (_, id) in due.into_iter().take(JOB_LISTS_PER_FETCH) {
            let Some(pipeline) = track.pipelines.get(&id).copied() else {
                track.stages_due.remove(&id);
                continue;
            };
            let path = format!(
                "{}/pipelines/{pipeline}/jobs",
                project_path(&project.project)
            );
            let params = [("include_retried", "true".to_string())];
            let what = format!("pipeline {pipeline} jobs");
            match self
                .client
                .pages::<ApiJob>(&path, &params, auth, &what, |_| true)
                .await
            {
                Ok(paged) => {
                    if let Some(problem) = paged.problem {
                        warnings.push(problem.message.to_string());
                    }
                    track.stages_due.remove(&id);
                    // No jobs listed (a pipeline since deleted) is kept as read, so it
                    // is not asked again; the deploy job's stage then stays.
                    let stages = stages::from_jobs(&paged.items);
                    let any = !stages.is_empty();
                    track.stages.insert(id.clone(), stages);
                    track.unsent.insert(id.clone());
                    if any {
                        filled.push(id);
                    }
                }
                Err(e) => {
                    warnings.push(format!(
                        "{}: the stages of {id} are not known yet: {e}",
                        project.project
                    ));
                    break;
                }
            }
        }
        filled
    }

    /// Asks for the commits of pending successes, newest first, up to the per-poll
    /// budget. Returns the ids whose commits became known. A failure stops the step
    /// (it is retried next poll) and becomes a warning: the deployments are shown.
    async fn fill_commits(
        &self,
        project: &GitLabProject,
        track: &mut Track,
        auth: &Auth,
        warnings: &mut Vec<String>,
    ) -> Vec<String> {
        let mut filled = Vec::new();
        let todo: Vec<(Ts, String)> = track
            .pending
            .iter()
            .rev()
            .take(COMPARES_PER_FETCH)
            .cloned()
            .collect();
        for key in todo {
            let Some(to) = track.successes.get(&key).cloned() else {
                track.pending.remove(&key);
                continue;
            };
            let previous = track
                .successes
                .range(..key.clone())
                .next_back()
                .map(|(_, sha)| sha.clone());
            let commits = match previous {
                // The first success read has no predecessor to compare with.
                None => Ok((Vec::new(), None)),
                Some(from) if from == to => Ok((Vec::new(), None)),
                Some(from) => self.commits_between(project, &from, &to, auth).await,
            };
            match commits {
                Ok((commits, note)) => {
                    if let Some(note) = note {
                        warnings.push(format!("{} {}: {note}", project.project, key.1));
                    }
                    track.pending.remove(&key);
                    track.commits.insert(key.1.clone(), commits);
                    track.unsent.insert(key.1.clone());
                    filled.push(key.1);
                }
                Err(e) => {
                    warnings.push(format!(
                        "{}: the commits of {} are not known yet: {e}",
                        project.project, key.1
                    ));
                    break;
                }
            }
        }
        filled
    }

    /// The commits `to` ships over `from`: the compare API, or, when GitLab cut the
    /// compare short, the commits list walked back from `to` until `from`. The note
    /// says when even that could not reach `from` (never a silent undercount).
    async fn commits_between(
        &self,
        project: &GitLabProject,
        from: &str,
        to: &str,
        auth: &Auth,
    ) -> Result<(Vec<Change>, Option<String>), FetchError> {
        let path = format!("{}/repository/compare", project_path(&project.project));
        let params = [("from", from.to_string()), ("to", to.to_string())];
        let compare: ApiCompare = self
            .client
            .get_json(&path, &params, auth, "compare")
            .await?;
        if !is_truncated(&compare, to) {
            return Ok((
                compare.commits.iter().filter_map(map::change).collect(),
                None,
            ));
        }
        let path = format!("{}/repository/commits", project_path(&project.project));
        let params = [("ref_name", to.to_string())];
        let mut pages = 0;
        let paged = self
            .client
            .pages::<ApiCommit>(&path, &params, auth, "commits", |page| {
                pages += 1;
                pages < MAX_COMMIT_PAGES && !page.iter().any(|c| c.id.as_deref() == Some(from))
            })
            .await?;
        let end = paged
            .items
            .iter()
            .position(|c| c.id.as_deref() == Some(from));
        let commits: Vec<Change> = paged.items[..end.unwrap_or(paged.items.len())]
            .iter()
            .filter_map(map::change)
            .collect();
        let note = match (end, paged.problem) {
            (Some(_), None) => None,
            (_, Some(p)) => Some(format!("{} commits kept: {}", commits.len(), p.message)),
            (None, None) => Some(format!(
                "the compare was truncated and the commits list did not reach the previous deployment's {}; {} commits kept",
                short(from),
                commits.len()
            )),
        };
        Ok((commits, note))
    }
}

impl SyncState {
    /// Record id → deployment id over one project's environments.
    fn groups_of(&self, project: usize) -> HashMap<String, String> {
        self.tracks
            .iter()
            .filter(|((index, _), _)| *index == project)
            .flat_map(|(_, track)| {
                track.records.iter().flat_map(|(group, records)| {
                    records.keys().map(move |r| (r.clone(), group.clone()))
                })
            })
            .collect()
    }
}

impl Track {
    /// Keeps the latest form of a record and of the deployment its pipeline's records
    /// make together; a success becomes due for commits. A record read again
    /// unchanged (the watermark's second) changes nothing and is not sent again.
    fn remember(&mut self, record: Deployment, pipeline: Option<u64>, now: Ts) {
        let id = group::group_id(&record, pipeline);
        let records = self.records.entry(id.clone()).or_default();
        if records.get(&record.id) == Some(&record) {
            return;
        }
        records.insert(record.id.clone(), record);
        if let Some(p) = pipeline {
            self.pipelines.insert(id.clone(), p);
        }
        self.settle(&id, now, true);
        self.unsent.insert(id);
    }

    /// A deployment as the cache's sync state left it: its records, and its commits
    /// and stages when they were known (else they are asked for, as before the
    /// restart).
    fn restore(&mut self, id: String, saved: SavedGroup, now: Ts) {
        let records = self.records.entry(id.clone()).or_default();
        for r in saved.records {
            records.insert(r.id.clone(), r);
        }
        if let Some(p) = saved.pipeline {
            self.pipelines.insert(id.clone(), p);
        }
        if let Some(c) = saved.commits {
            self.commits.insert(id.clone(), c);
        }
        if let Some(s) = saved.stages {
            self.stages.insert(id.clone(), s);
        }
        self.settle(&id, now, false);
    }

    /// Recombines deployment `id` from its records and updates what follows from it:
    /// the successes in order, the commits and the stages due. `moved` says the
    /// deployment may have changed since its jobs were read (a restored one did not).
    fn settle(&mut self, id: &str, now: Ts, moved: bool) {
        let Some(d) = self
            .records
            .get(id)
            .and_then(|records| group::combine(id, records.values()))
        else {
            return;
        };
        if self.pipelines.contains_key(id) {
            // Jobs are read again only when the deployment moved.
            let moved = moved
                && self
                    .deployments
                    .get(id)
                    .is_none_or(|old| (old.status, old.finished_at) != (d.status, d.finished_at));
            let recent = now - d.started_at < Duration::days(COMMITS_DAYS);
            if recent && (moved || !self.stages.contains_key(id)) {
                self.stages_due.insert(id.to_string(), d.started_at);
            }
        }
        if let Some(old) = self.success_keys.remove(id) {
            if let Some(sha) = self.successes.remove(&old) {
                if let Some(keys) = self.sha_keys.get_mut(&sha) {
                    keys.remove(&old);
                }
            }
            self.pending.remove(&old);
        }
        if let (DeployStatus::Success, Some(finished)) = (d.status, d.finished_at) {
            let key = (finished, id.to_string());
            self.successes.insert(key.clone(), d.sha.clone());
            self.sha_keys
                .entry(d.sha.clone())
                .or_default()
                .insert(key.clone());
            self.success_keys.insert(id.to_string(), key.clone());
            let recent = now - finished < Duration::days(COMMITS_DAYS);
            if recent && !self.commits.contains_key(id) {
                self.pending.insert(key);
            }
        }
        self.deployments.insert(id.to_string(), d);
    }

    /// The deployments not yet delivered, with their sync state and the watermark
    /// that covers them; they count as delivered from here on.
    fn take_unsent(
        &mut self,
        project: &GitLabProject,
        environment: &str,
        merged: Option<&merges::MergedAt>,
    ) -> Vec<SourceData> {
        let mut deployments = Vec::new();
        let mut entries = Vec::new();
        for id in std::mem::take(&mut self.unsent) {
            if let Some(mut d) = self.with_commits(&id) {
                if let Some(m) = merged {
                    m.fill(&mut d.commits);
                }
                deployments.push(d);
            }
            entries.extend(
                self.saved(&id, project, environment)
                    .and_then(|(g, at)| g.entry(&id, at)),
            );
        }
        entries.extend(self.mark_entry(project, environment));
        vec![
            SourceData::Deployments(deployments),
            SourceData::SyncState(entries),
        ]
    }

    /// What the cache keeps of deployment `id`, and the time it is purged by.
    fn saved(
        &self,
        id: &str,
        project: &GitLabProject,
        environment: &str,
    ) -> Option<(SavedGroup, Ts)> {
        let d = self.deployments.get(id)?;
        let group = SavedGroup {
            project: project.project.clone(),
            environment: environment.to_string(),
            pipeline: self.pipelines.get(id).copied(),
            records: self.records.get(id)?.values().cloned().collect(),
            commits: self.commits.get(id).cloned(),
            stages: self.stages.get(id).cloned(),
        };
        Some((group, d.finished_at.unwrap_or(d.started_at)))
    }

    fn mark_entry(&self, project: &GitLabProject, environment: &str) -> Option<SyncEntry> {
        SavedMark {
            project: project.project.clone(),
            environment: Some(environment.to_string()),
            at: self.watermark?,
        }
        .entry()
    }

    fn with_commits(&self, id: &str) -> Option<Deployment> {
        let mut d = self.deployments.get(id)?.clone();
        let earliest = |sha: &str| self.sha_keys.get(sha)?.first().map(|(t, _)| *t);
        if crate::sources::kind::is_rollback(&self.successes, earliest, &d.sha, d.started_at) {
            d.kind = crate::model::DeployKind::Rollback;
        }
        if let Some(c) = self.commits.get(id) {
            d.commits = c.clone();
        }
        if let Some(s) = self.stages.get(id).filter(|s| !s.is_empty()) {
            d.stages = s.clone();
        }
        Some(d)
    }
}

/// GitLab's compare is not paginated: it says `compare_timeout` when it gave up, and a
/// list that does not hold `to` itself was cut (a compare's commits end at `to`; an
/// empty list is a rollback to an older sha, which ships nothing).
pub fn is_truncated(compare: &ApiCompare, to: &str) -> bool {
    compare.compare_timeout == Some(true)
        || (!compare.commits.is_empty()
            && !compare.commits.iter().any(|c| c.id.as_deref() == Some(to)))
}

/// The parameters of an incremental listing: `params`, oldest change first, and only
/// what changed since `mark`. A second back: records updated in the same second as the
/// last one read are not skipped (ids are upserted, so a repeat costs nothing).
fn changed_since(
    mut params: Vec<(&'static str, String)>,
    mark: Option<Ts>,
) -> Vec<(&'static str, String)> {
    params.push(("order_by", "updated_at".to_string()));
    params.push(("sort", "asc".to_string()));
    if let Some(mark) = mark {
        params.push(("updated_after", api_time(mark - Duration::seconds(1))));
    }
    params
}

/// Kinds that would fail every other request the same way.
fn affects_every_request(kind: SourceErrorKind) -> bool {
    matches!(
        kind,
        SourceErrorKind::Auth
            | SourceErrorKind::Network
            | SourceErrorKind::Timeout
            | SourceErrorKind::RateLimited
            | SourceErrorKind::Server
    )
}

fn short(sha: &str) -> String {
    sha.chars().take(8).collect()
}

/// ISO 8601 in UTC, as GitLab's `updated_after` takes it.
fn api_time(t: Ts) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str) -> ApiCommit {
        ApiCommit {
            id: Some(id.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_compare_is_truncated_when_it_says_so_or_misses_its_end() {
        let whole = ApiCompare {
            commits: vec![commit("a"), commit("b")],
            ..Default::default()
        };
        assert!(!is_truncated(&whole, "b"));
        assert!(is_truncated(&whole, "c"));
        let timed_out = ApiCompare {
            compare_timeout: Some(true),
            ..whole.clone()
        };
        assert!(is_truncated(&timed_out, "b"));
        assert!(!is_truncated(&ApiCompare::default(), "b"), "a rollback");
    }
}
