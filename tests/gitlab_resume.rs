//! The GitLab source across restarts, through the real cache: the first run syncs
//! (its pages delivered as they come), a second run on the same cache draws the
//! cached deployments and asks only for what changed, and a failure after a good sync
//! loses nothing. Requests are counted at the in-process fake.

mod gitlab_fake;
mod hostile;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use flightdeck::app::{App, View};
use flightdeck::config::{Config, GitLabAuth, GitLabConfig, GitLabProject};
use flightdeck::event::{Event, SourceEvent, SourceEventKind};
use flightdeck::sources::gitlab::GitLabSource;
use flightdeck::sources::progress::ProgressSink;
use flightdeck::store::{load_cached, spawn_cache_writer, CachedSource};
use gitlab_fake::{commit, merge_request, sha, Dep, FakeGitLab, Project, TOKEN};
use tokio::sync::mpsc;

const TOKEN_ENV: &str = "FD_GITLAB_RESUME_TOKEN";

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `n` successful production deployments an hour apart, deployment `i` shipping
/// commit `i` of a linear history (so each compare holds one commit).
fn project(n: usize) -> Project {
    let start = now() - Duration::hours(n as i64 + 2);
    let deployments = (1..=n)
        .map(|i| {
            let at = start + Duration::hours(i as i64);
            Dep {
                id: i as u64,
                environment: "production",
                sha: Some(sha(i)),
                status: "success",
                created: at,
                updated: at + Duration::minutes(5),
                job: Some((at + Duration::seconds(10), Some(at + Duration::minutes(4)))),
            }
            .json()
        })
        .collect();
    Project {
        id: 5,
        path: "acme/app".into(),
        deployments,
        commits: (0..=n + 5)
            .map(|i| commit(i, start - Duration::days(1)))
            .collect(),
        compare_limit: None,
        jobs: Default::default(),
        issues: Vec::new(),
        merge_requests: Vec::new(),
    }
}

fn config(fake: &FakeGitLab) -> GitLabConfig {
    std::env::set_var(TOKEN_ENV, TOKEN);
    GitLabConfig {
        url: fake.url.clone(),
        auth: GitLabAuth::PrivateToken,
        token_env: Some(TOKEN_ENV.into()),
        timeout_seconds: 10,
        max_requests_per_second: 10_000,
        projects: vec![GitLabProject {
            project: "acme/app".into(),
            service: "checkout".into(),
            environments: vec!["production".into()],
            incidents: false,
        }],
        ..Default::default()
    }
}

fn app() -> App {
    let view = View {
        tz: flightdeck::zone::Tz::UTC,
        demo: false,
    };
    App::new(
        view,
        flightdeck::config::metrics_settings(&Config::default()),
        now(),
    )
}

/// One run of the cockpit on the cache at `path`: a source that resumes from it, and
/// a cache writer that keeps what it delivers.
struct Run {
    source: GitLabSource,
    events: mpsc::Receiver<Event>,
    cache: mpsc::Sender<CachedSource>,
    writer: std::thread::JoinHandle<Result<(), flightdeck::store::StoreError>>,
    app: App,
    /// Progress events seen: (records, pages).
    progress: Vec<(u64, u64)>,
}

impl Run {
    async fn start(fake: &FakeGitLab, path: &Path) -> Run {
        Run::start_with(&config(fake), path).await
    }

    async fn start_with(config: &GitLabConfig, path: &Path) -> Run {
        let (tx, events) = mpsc::channel(1024);
        let source = GitLabSource::new(config, &BTreeMap::new())
            .expect("a source")
            .with_cache(Some(path.to_path_buf()))
            .with_progress(ProgressSink::new("gitlab", tx));
        let (cache, rx) = mpsc::channel(1024);
        let writer = spawn_cache_writer(path.to_path_buf(), 90, rx, None);
        let mut app = app();
        // What the runtime does at start: the cache is drawn at once.
        for (source, at, data) in load_cached(path.to_path_buf()).await.expect("load").sources {
            app.update(Event::Source(SourceEvent {
                source,
                kind: SourceEventKind::Cached { at, data },
            }));
        }
        Run {
            source,
            events,
            cache,
            writer,
            app,
            progress: Vec::new(),
        }
    }

    /// One poll as the poller and the runtime run it: progress events reach the app
    /// and the cache as they come, then the fetch's answer. Whether it succeeded.
    async fn poll(&mut self) -> bool {
        let Run {
            source,
            events,
            cache,
            app,
            progress,
            ..
        } = self;
        let mut sink = Sink {
            app,
            cache,
            progress,
        };
        let fetch = source.fetch_at(now());
        tokio::pin!(fetch);
        let result = loop {
            tokio::select! {
                biased;
                Some(ev) = events.recv() => sink.take(ev).await,
                result = &mut fetch => break result,
            }
        };
        while let Ok(ev) = events.try_recv() {
            sink.take(ev).await;
        }
        let kind = match result {
            Ok(f) => SourceEventKind::Fetched {
                at: now(),
                data: f.data,
                warnings: f.warnings,
            },
            Err(e) => SourceEventKind::Failed {
                at: now(),
                error: e.error,
                retry_after: e.retry_after,
            },
        };
        let ok = matches!(kind, SourceEventKind::Fetched { .. });
        sink.take(Event::Source(SourceEvent {
            source: "gitlab".into(),
            kind,
        }))
        .await;
        ok
    }

    /// Stops the run; everything it delivered is on disk afterwards.
    fn stop(self) -> App {
        drop(self.cache);
        self.writer.join().expect("writer").expect("saves");
        self.app
    }
}

/// Where a run's events go: the app, and (fetch results) the cache writer.
struct Sink<'a> {
    app: &'a mut App,
    cache: &'a mpsc::Sender<CachedSource>,
    progress: &'a mut Vec<(u64, u64)>,
}

impl Sink<'_> {
    async fn take(&mut self, ev: Event) {
        if let Event::Source(SourceEvent { kind, .. }) = &ev {
            let data = match kind {
                SourceEventKind::Progress {
                    at,
                    records,
                    pages,
                    data,
                } => {
                    self.progress.push((*records, *pages));
                    Some((*at, data.clone()))
                }
                SourceEventKind::Fetched { at, data, .. } => Some((*at, data.clone())),
                _ => None,
            };
            if let Some((at, data)) = data {
                self.cache
                    .send(("gitlab".into(), at, data))
                    .await
                    .expect("the writer runs");
            }
        }
        self.app.update(ev);
    }
}

/// Each deployment shown: id, status, how many commits it shipped.
fn shown(app: &App) -> Vec<(String, String, usize)> {
    let mut v: Vec<(String, String, usize)> = app
        .model
        .data
        .deployments
        .iter()
        .map(|d| (d.id.clone(), d.status.as_str().to_string(), d.commits.len()))
        .collect();
    v.sort();
    v
}

/// A fresh cache file of the calling test's own.
fn temp_db() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("fd-gitlab-resume-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("cache.sqlite3")
}

fn requests(fake: &FakeGitLab) -> Vec<String> {
    fake.with(|s| std::mem::take(&mut s.log))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_draws_the_cache_and_asks_one_request_per_project() {
    let path = temp_db();
    // 250 deployments: three pages, and more compares than one poll asks for.
    let fake = FakeGitLab::start(vec![project(250)]);
    let mut first = Run::start(&fake, &path).await;
    assert!(first.poll().await);
    assert!(first.poll().await, "the second poll asks for the rest");
    let log = requests(&fake);
    assert!(log.len() > 250, "{} requests", log.len());
    // The first sync showed its pages as they came: records and pages so far.
    assert_eq!(first.progress, vec![(200, 2), (250, 3)]);
    let first = first.stop();
    let synced = shown(&first);
    assert_eq!(synced.len(), 250);
    assert_eq!(
        synced
            .iter()
            .filter(|(_, _, commits)| *commits == 1)
            .count(),
        249,
        "every deployment but the first ships one commit"
    );

    let mut second = Run::start(&fake, &path).await;
    assert_eq!(shown(&second.app), synced, "drawn from the cache at once");
    assert!(second.poll().await);
    let log = requests(&fake);
    assert_eq!(log.len(), 1, "{log:#?}");
    assert!(log[0].contains("/deployments?"), "{}", log[0]);
    assert!(log[0].contains("updated_after="), "{}", log[0]);
    assert_eq!(shown(&second.app), synced);

    // A new deployment after the restart: its commits are compared with the last
    // success the cache remembers.
    let next = now() - Duration::minutes(30);
    fake.with(|s| {
        s.projects[0].deployments.push(
            Dep {
                id: 251,
                environment: "production",
                sha: Some(sha(253)),
                status: "success",
                created: next,
                updated: next + Duration::minutes(5),
                job: Some((next, Some(next + Duration::minutes(4)))),
            }
            .json(),
        )
    });
    assert!(second.poll().await);
    let log = requests(&fake);
    let compares: Vec<&String> = log.iter().filter(|l| l.contains("/compare")).collect();
    assert_eq!(compares.len(), 1, "{log:#?}");
    assert!(
        compares[0].contains(&format!("from={}", sha(250))),
        "{}",
        compares[0]
    );
    let app = second.stop();
    let new = app
        .model
        .data
        .deployments
        .iter()
        .find(|d| d.sha == sha(253))
        .expect("the new deployment");
    assert_eq!(new.commits.len(), 3, "commits 251 to 253");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_sync_asks_for_what_was_still_due_and_not_the_listing_again() {
    let path = temp_db();
    let fake = FakeGitLab::start(vec![project(250)]);
    let mut first = Run::start(&fake, &path).await;
    assert!(first.poll().await);
    first.stop();
    requests(&fake);
    // One poll asks for 200 compares: the 49 left wait in the sync state.
    let mut second = Run::start(&fake, &path).await;
    assert!(second.poll().await);
    let log = requests(&fake);
    let listings = log.iter().filter(|l| l.contains("/deployments?")).count();
    let compares = log.iter().filter(|l| l.contains("/compare")).count();
    assert_eq!((listings, compares), (1, 49), "{log:#?}");
    let app = second.stop();
    let with_commits = shown(&app).iter().filter(|(_, _, c)| *c == 1).count();
    assert_eq!(with_commits, 249);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_after_a_good_sync_loses_nothing_cached() {
    let path = temp_db();
    let fake = FakeGitLab::start(vec![project(120)]);
    let mut first = Run::start(&fake, &path).await;
    assert!(first.poll().await);
    assert!(first.poll().await);
    let synced = shown(&first.app);
    assert_eq!(synced.len(), 120);
    type Break = fn(&mut gitlab_fake::State);
    let failures: [(&str, Break); 3] = [
        ("a login page", |s| s.html_login = true),
        ("malformed JSON", |s| s.malformed = true),
        ("a refused token", |s| {
            s.projects.clear();
            s.html_login = false;
            s.malformed = false;
        }),
    ];
    for (what, break_it) in failures {
        fake.with(break_it);
        if what == "a refused token" {
            std::env::set_var(TOKEN_ENV, "glpat-revoked");
        }
        // A new deployment arrives while the source cannot be read.
        assert!(!first.poll().await || what == "malformed JSON", "{what}");
        assert_eq!(shown(&first.app), synced, "{what}: the app keeps them");
    }
    let app = first.stop();
    assert_eq!(shown(&app), synced);
    // And the cache kept them: a restart still draws every one.
    let restarted = Run::start(&fake, &path).await;
    assert_eq!(shown(&restarted.app), synced);
    restarted.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeploy_of_an_older_sha_is_a_rollback_and_a_hotfix_ref_a_hotfix() {
    let start = now() - Duration::hours(10);
    let dep = |id: u64, n: usize, hours: i64| {
        let at = start + Duration::hours(hours);
        Dep {
            id,
            environment: "production",
            sha: Some(sha(n)),
            status: "success",
            created: at,
            updated: at + Duration::minutes(5),
            job: Some((at, Some(at + Duration::minutes(4)))),
        }
        .json()
    };
    let mut hotfix = dep(5, 3, 5);
    hotfix["ref"] = serde_json::json!("hotfix/login");
    let mut p = project(0);
    // a, b, back to a (rollback), a again (a redeploy), then a hotfix branch.
    p.deployments = vec![
        dep(1, 1, 1),
        dep(2, 2, 2),
        dep(3, 1, 3),
        dep(4, 1, 4),
        hotfix,
    ];
    let fake = FakeGitLab::start(vec![p]);
    let mut cfg = config(&fake);
    cfg.hotfix_ref_pattern = Some("hotfix/*".into());
    let src = GitLabSource::new(&cfg, &BTreeMap::new()).expect("a source");
    let fetched = src.fetch_at(now()).await.expect("a sync");
    let mut app = app();
    app.update(Event::Source(SourceEvent {
        source: "gitlab".into(),
        kind: SourceEventKind::Fetched {
            at: now(),
            data: fetched.data,
            warnings: Vec::new(),
        },
    }));
    let kind_of = |id: u64| {
        app.model
            .data
            .deployments
            .iter()
            .find(|d| d.id == format!("gitlab:pipeline:{}:production", id + 20_000))
            .map(|d| d.kind)
            .expect("deployment")
    };
    use flightdeck::model::DeployKind::*;
    assert_eq!(
        [1, 2, 3, 4, 5].map(kind_of),
        [Normal, Normal, Rollback, Normal, Hotfix]
    );
    // The metrics read them as DESIGN §3 says: the rollback remediated deployment 2
    // (failed), and two of five deployments are rework.
    app.refresh_derived();
    let dora = &app.derived.services["checkout"].dora;
    assert_eq!(dora.rework_rate.rework, 2);
    assert_eq!(dora.rework_rate.deployments, 5);
    // The rollback remediated 2, the hotfix 4 (each the latest before it).
    assert_eq!(dora.change_failure_rate.failed, 2);
}

/// A poll that ends half-way (the second project's answer refuses the token, which
/// every later request would meet too) loses nothing it had read of the first: those
/// deployments, with their commits, come with the next poll that succeeds, although
/// the first project's listing has nothing new by then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_that_fails_half_way_delivers_what_it_read_at_the_next_success() {
    let first = project(3);
    let mut other = project(2);
    other.id = 6;
    other.path = "acme/other".into();
    let fake = FakeGitLab::start(vec![first, other]);
    let mut cfg = config(&fake);
    cfg.projects.push(GitLabProject {
        project: "acme/other".into(),
        service: "search".into(),
        ..cfg.projects[0].clone()
    });
    let src = GitLabSource::new(&cfg, &BTreeMap::new()).expect("a source");
    fake.with(|s| s.refuse_containing = Some("acme%2Fother".into()));
    src.fetch_at(now())
        .await
        .expect_err("the second project refuses the token");
    fake.with(|s| s.refuse_containing = None);
    let fetched = src.fetch_at(now()).await.expect("answers again");
    let mut shipped: Vec<(String, usize)> = fetched
        .data
        .iter()
        .flat_map(|d| match d {
            flightdeck::event::SourceData::Deployments(v) => v.clone(),
            _ => Vec::new(),
        })
        .map(|d| (d.service.clone(), d.commits.len()))
        .collect();
    shipped.sort();
    assert_eq!(
        shipped,
        [
            ("checkout".to_string(), 0),
            ("checkout".to_string(), 1),
            ("checkout".to_string(), 1),
            ("search".to_string(), 0),
            ("search".to_string(), 1)
        ]
    );
}

/// With merge-based lead time, what each merged merge request said is kept too: a
/// restart asks for the merge requests changed since (one request), not for every
/// merge request's commits again, and a new deployment still gets its merge times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_times_survive_a_restart_without_asking_again() {
    let path = temp_db();
    let mut p = project(5);
    let merged = now() - Duration::hours(3);
    // Commit 2 came with !1, commits 4 and 5 with !2.
    p.merge_requests = vec![
        merge_request(1, vec![sha(2)], merged - Duration::days(1)),
        merge_request(2, vec![sha(4), sha(5)], merged),
    ];
    let fake = FakeGitLab::start(vec![p]);
    let mut cfg = config(&fake);
    cfg.merge_requests = true;
    let mut first = Run::start_with(&cfg, &path).await;
    assert!(first.poll().await);
    let app = first.stop();
    let merged_of = |app: &App| {
        let mut v: Vec<(String, bool)> = app
            .model
            .data
            .deployments
            .iter()
            .flat_map(|d| d.commits.iter())
            .map(|c| (c.sha.clone(), c.merged_at.is_some()))
            .collect();
        v.sort();
        v
    };
    let before = merged_of(&app);
    assert_eq!(before.iter().filter(|(_, m)| *m).count(), 3, "{before:?}");
    requests(&fake);

    let mut second = Run::start_with(&cfg, &path).await;
    assert!(second.poll().await);
    let log = requests(&fake);
    assert_eq!(
        log.len(),
        2,
        "the MR list and the deployments list: {log:#?}"
    );
    assert!(log.iter().all(|l| !l.contains("/commits")), "{log:#?}");
    // A deployment of commit 6 after the restart ships 6 (pushed) over 5.
    let next = now() - Duration::minutes(20);
    fake.with(|s| {
        s.projects[0].deployments.push(
            Dep {
                id: 6,
                environment: "production",
                sha: Some(sha(6)),
                status: "success",
                created: next,
                updated: next + Duration::minutes(5),
                job: Some((next, Some(next + Duration::minutes(4)))),
            }
            .json(),
        );
        s.projects[0].merge_requests.push(merge_request(
            3,
            vec![sha(6)],
            next - Duration::minutes(5),
        ));
    });
    assert!(second.poll().await);
    let app = second.stop();
    let after = merged_of(&app);
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&(sha(6), true)), "{after:?}");
}
