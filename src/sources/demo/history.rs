//! Ninety days of deployments for the four services, ending at the world's origin.
//!
//! Each service has its own release rhythm (checkout several times a weekday, payments
//! about daily, search three times a week, gateway weekly). On top of the random
//! rhythm a few scripted events make every metric of the engine show something: a
//! rollback followed by a hotfix, a failed canary, a canceled and a few failed deploys.

use crate::model::sanitize::sanitize;
use crate::model::{Change, DeployKind, Deployment, Trigger};

use super::catalog::{ServiceProfile, PEOPLE, PROFILES};
use super::pipeline::{commits, pipeline, rollback_pipeline, Outcome, Pipeline};
use super::rng::Rng;
use super::{ts, DAY, HOUR};

/// The demo's source id, also the prefix of every id it makes.
pub const SOURCE: &str = "demo";

/// Days before the origin when payments adopted a merge queue (annotated as a process
/// change; its lead times shrink from then on).
pub const PROCESS_CHANGE_DAYS: i64 = 45;

/// Scripted events: (service index, days before origin, outcome).
const SCRIPT: &[(usize, i64, Outcome)] = &[
    (0, 20, Outcome::RolledBack),
    (0, 8, Outcome::CanaryFailed),
    (0, 3, Outcome::Canceled),
    (1, 35, Outcome::Failed),
    (2, 5, Outcome::Failed),
    (3, 40, Outcome::Canceled),
];

/// Deployments of interest to the incident script.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// (id, finished, rollback finished) of the deployment that was rolled back.
    pub rolled_back: Option<(String, i64, i64)>,
    /// (id, finished) of the failed canary.
    pub canary_failed: Option<(String, i64)>,
}

/// Where a service's history leaves off, for the live rollout to continue from.
#[derive(Debug, Clone)]
pub struct Tip {
    pub version: (u32, u32, u32),
    pub last_success: Option<(String, String)>,
    pub next_seq: u32,
    pub last_ship: i64,
}

#[derive(Debug, Clone)]
pub struct Deployments {
    /// Sorted by started_at, then id.
    pub list: Vec<Deployment>,
    pub marks: Marks,
    pub tips: Vec<Tip>,
}

pub fn version_string(v: (u32, u32, u32)) -> String {
    format!("{}.{}.{}", v.0, v.1, v.2)
}

/// Generates every service's deployments between `data_start` and `origin`.
pub fn deployments(rng: &Rng, data_start: i64, origin: i64) -> Deployments {
    let mut list = Vec::new();
    let mut marks = Marks::default();
    let mut tips = Vec::new();
    for (idx, profile) in PROFILES.iter().enumerate() {
        let mut srng = rng.fork(100 + idx as u64);
        let slots = plan(&mut srng, idx, data_start, origin);
        let tip = walk(&mut srng, profile, &slots, origin, &mut list, &mut marks);
        tips.push(tip);
    }
    list.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
    Deployments { list, marks, tips }
}

/// How many deploys a service makes on a day (0 = Monday).
fn deploys_on(rng: &mut Rng, idx: usize, weekday: i64) -> i64 {
    let weekend = weekday >= 5;
    match (idx, weekend) {
        (0, false) => rng.range(2, 6),
        (0, true) => i64::from(rng.chance(0.15)),
        (1, false) => i64::from(rng.chance(0.85)) + i64::from(rng.chance(0.1)),
        (1, true) => i64::from(rng.chance(0.05)),
        (2, false) if weekday % 2 == 0 => i64::from(rng.chance(0.8)),
        (2, false) => i64::from(rng.chance(0.1)),
        (3, false) if weekday == 1 || weekday == 3 => i64::from(rng.chance(0.55)),
        (3, false) => i64::from(rng.chance(0.03)),
        _ => 0,
    }
}

/// The start times (deploy job start) and planned outcomes of one service.
fn plan(rng: &mut Rng, idx: usize, data_start: i64, origin: i64) -> Vec<(i64, Outcome)> {
    // The first day stays free of deployments (an incident happens before any), and
    // the last hours stay quiet so the live rollout starts from a calm baseline.
    let first = data_start + DAY;
    let last = origin - if idx == 0 { 3 * HOUR } else { 2 * HOUR };
    let mut times = Vec::new();
    let mut day = data_start.div_euclid(DAY) * DAY;
    while day < origin {
        // 1970-01-01 was a Thursday (weekday 3 counting from Monday = 0).
        let weekday = (day.div_euclid(DAY) + 3).rem_euclid(7);
        for _ in 0..deploys_on(rng, idx, weekday) {
            let at = if weekday >= 5 {
                day + rng.range(10 * HOUR, 16 * HOUR)
            } else if rng.chance(0.08) {
                day + rng.range(18 * HOUR + 1800, 22 * HOUR + 1800)
            } else {
                day + rng.range(8 * HOUR, 17 * HOUR + 1800)
            };
            times.push(at);
        }
        day += DAY;
    }
    times.sort_unstable();
    let mut slots: Vec<(i64, Outcome)> = Vec::new();
    for at in times {
        let spaced = slots.last().is_none_or(|(prev, _)| at - prev >= 45 * 60);
        if spaced && at >= first && at <= last {
            slots.push((at, Outcome::Success));
        }
    }
    for &(_, days_ago, outcome) in SCRIPT.iter().filter(|s| s.0 == idx) {
        let target = origin - days_ago * DAY;
        let nearest = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.1 == Outcome::Success)
            .min_by_key(|(_, s)| (s.0 - target).abs())
            .map(|(i, _)| i);
        if let Some(i) = nearest {
            slots[i].1 = outcome;
            if outcome == Outcome::RolledBack {
                // Room for the rollback and the hotfix before the next regular deploy.
                let at = slots[i].0;
                slots.retain(|s| s.0 <= at || s.0 > at + 6 * HOUR);
            }
        }
    }
    for slot in slots.iter_mut() {
        if slot.1 == Outcome::Success && rng.chance(0.025) {
            slot.1 = Outcome::Failed;
        }
    }
    slots
}

struct Walker<'a> {
    profile: &'a ServiceProfile,
    version: (u32, u32, u32),
    seq: u32,
    prev_ship: Option<i64>,
    carry: Vec<Change>,
    last_success: Option<(String, String)>,
}

/// What a deployment ships and who started it.
struct Release {
    version: String,
    sha: String,
    commits: Vec<Change>,
    trigger: Trigger,
    kind: DeployKind,
    deployer: String,
}

impl Walker<'_> {
    /// A deployment record with the next id; status and stages are filled in after.
    fn deployment(&mut self, environment: &str, start: i64, release: Release) -> Deployment {
        self.seq += 1;
        let name = self.profile.name;
        Deployment {
            id: sanitize(&format!("{SOURCE}:{name}-{}", self.seq)),
            source: sanitize(SOURCE),
            service: sanitize(name),
            environment: sanitize(environment),
            version: sanitize(&release.version),
            sha: sanitize(&release.sha),
            status: crate::model::DeployStatus::Success,
            started_at: ts(start),
            finished_at: None,
            deployer: sanitize(&release.deployer),
            url: Some(sanitize(&format!(
                "https://ci.example.com/shop/{name}/-/pipelines/{}",
                40_000 + self.seq * 7
            ))),
            commits: release.commits,
            stages: Vec::new(),
            canary: None,
            trigger: release.trigger,
            kind: release.kind,
        }
    }
}

fn bump(v: (u32, u32, u32), minor: bool) -> (u32, u32, u32) {
    if minor {
        (v.0, v.1 + 1, 0)
    } else {
        (v.0, v.1, v.2 + 1)
    }
}

fn apply(d: &mut Deployment, p: Pipeline) {
    d.status = p.status;
    d.finished_at = Some(ts(p.finished));
    d.stages = p.stages;
    d.canary = p.canary;
}

/// Turns one service's slots into deployments (with staging runs, rollbacks, hotfixes).
fn walk(
    rng: &mut Rng,
    profile: &ServiceProfile,
    slots: &[(i64, Outcome)],
    origin: i64,
    out: &mut Vec<Deployment>,
    marks: &mut Marks,
) -> Tip {
    let mut w = Walker {
        profile,
        version: profile.first_version,
        seq: rng.range(180, 900) as u32,
        prev_ship: None,
        carry: Vec::new(),
        last_success: None,
    };
    let merge_queue_since = origin - PROCESS_CHANGE_DAYS * DAY;
    for &(at, outcome) in slots {
        w.version = bump(w.version, rng.chance(0.25));
        let version = version_string(w.version);
        let staging = rng.chance(profile.staging_share);
        let ship = if staging {
            at - rng.range(40 * 60, 2 * HOUR)
        } else {
            at
        };
        let n = if rng.chance(0.04) {
            rng.range(21, 25)
        } else {
            rng.range(profile.commits.0, profile.commits.1)
        } as usize;
        let scale = if profile.name == "payments" && at >= merge_queue_since {
            0.25
        } else {
            1.0
        };
        let after = w.prev_ship.unwrap_or(ship - 3 * DAY);
        let fresh = commits(rng, profile, n, after, ship - 600, scale);
        // Changes of a failed or canceled deploy ship with the next one.
        let mut all = std::mem::take(&mut w.carry);
        all.extend(fresh);
        let skip = all.len().saturating_sub(25);
        let all: Vec<Change> = all.into_iter().skip(skip).collect();
        let head = all.last().map(|c| (c.sha.clone(), c.author.clone()));
        let (sha, author) = head.unwrap_or_else(|| (rng.hex(40), rng.pick(PEOPLE).to_string()));
        let (trigger, deployer) = if rng.chance(0.12) {
            (Trigger::Manual, rng.pick(PEOPLE).to_string())
        } else {
            (Trigger::Auto, author)
        };
        let release = |commits: Vec<Change>, trigger| Release {
            version: version.clone(),
            sha: sha.clone(),
            commits,
            trigger,
            kind: DeployKind::Normal,
            deployer: deployer.clone(),
        };
        if staging {
            let mut d = w.deployment("staging", ship, release(all.clone(), Trigger::Auto));
            apply(&mut d, pipeline(rng, false, ship, Outcome::Success));
            out.push(d);
        }
        let mut d = w.deployment("production", at, release(all.clone(), trigger));
        let p = pipeline(rng, profile.canary, at, outcome);
        let finished = p.finished;
        apply(&mut d, p);
        let id = d.id.clone();
        out.push(d);
        w.prev_ship = Some(at);
        match outcome {
            Outcome::Success => w.last_success = Some((version, sha)),
            Outcome::Failed | Outcome::Canceled => w.carry = all,
            Outcome::CanaryFailed => {
                marks.canary_failed = Some((id, finished));
                w.carry = all;
            }
            Outcome::RolledBack => {
                let recovered = roll_back_and_fix(rng, &mut w, finished, all, out);
                marks.rolled_back = Some((id, finished, recovered));
            }
        }
    }
    Tip {
        version: w.version,
        last_success: w.last_success,
        next_seq: w.seq + 1,
        last_ship: w.prev_ship.unwrap_or(origin - 3 * DAY),
    }
}

/// After a bad deployment that finished at `finished`: an on-call engineer rolls back
/// to the last good version, and a hotfix re-ships the changes with a fix hours later.
/// Returns when the rollback finished (the service recovered).
fn roll_back_and_fix(
    rng: &mut Rng,
    w: &mut Walker<'_>,
    finished: i64,
    shipped: Vec<Change>,
    out: &mut Vec<Deployment>,
) -> i64 {
    let start = finished + rng.range(20 * 60, 35 * 60);
    let seconds = rng.range(60, 150);
    let oncall = rng.pick(PEOPLE).to_string();
    let (prev_version, prev_sha) = w
        .last_success
        .clone()
        .unwrap_or_else(|| (version_string(w.profile.first_version), rng.hex(40)));
    let mut rb = w.deployment(
        "production",
        start,
        Release {
            version: prev_version,
            sha: prev_sha,
            commits: Vec::new(),
            trigger: Trigger::Manual,
            kind: DeployKind::Rollback,
            deployer: oncall.clone(),
        },
    );
    rb.stages = rollback_pipeline(start, seconds, None);
    rb.finished_at = Some(ts(start + seconds));
    out.push(rb);
    let recovered = start + seconds;

    let fix_at = recovered + rng.range(150 * 60, 210 * 60);
    w.version = bump(w.version, false);
    let fix = Change {
        sha: rng.hex(40),
        title: sanitize("Fix cart update 502 when the promo code is empty (!3112)"),
        author: sanitize(&oncall),
        authored_at: ts(fix_at - 75 * 60),
        committed_at: ts(fix_at - 70 * 60),
        merged_at: Some(ts(fix_at - 25 * 60)),
    };
    let sha = fix.sha.clone();
    let mut commits = shipped;
    commits.push(fix);
    let version = version_string(w.version);
    let mut hotfix = w.deployment(
        "production",
        fix_at,
        Release {
            version: version.clone(),
            sha: sha.clone(),
            commits,
            trigger: Trigger::Manual,
            kind: DeployKind::Hotfix,
            deployer: oncall,
        },
    );
    apply(
        &mut hotfix,
        pipeline(rng, w.profile.canary, fix_at, Outcome::Success),
    );
    out.push(hotfix);
    w.last_success = Some((version, sha));
    w.prev_ship = Some(fix_at);
    recovered
}
