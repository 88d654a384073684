use chrono::{Duration, TimeZone, Utc};

use super::*;

fn t0() -> Ts {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
        .single()
        .expect("time")
}

fn err(landed: Landed, permanent: bool, retry_after: Option<u64>) -> TrackerError {
    TrackerError {
        landed,
        message: "boom".into(),
        retry_after: retry_after.map(std::time::Duration::from_secs),
        permanent,
    }
}

fn key(k: &str) -> TrackerKey {
    TrackerKey(k.to_string())
}

#[test]
fn a_create_that_answers_is_sent_with_its_key() {
    let p = Policy::default();
    let d = Delivery::new(t0());
    assert_eq!(d.action(t0()), Action::Create);
    let d = d.begin_create();
    assert_eq!(d.phase, Phase::Sending);
    let d = d.on_create(Ok(key("OPS-1")), t0(), &p);
    assert_eq!(
        d.phase,
        Phase::Sent {
            key: "OPS-1".into()
        }
    );
    assert_eq!(d.action(t0()), Action::Done);
}

#[test]
fn a_refused_create_retries_with_backoff_honouring_retry_after() {
    let p = Policy::default();
    let d = Delivery::new(t0()).begin_create();
    let d = d.on_create(Err(err(Landed::No, false, None)), t0(), &p);
    assert_eq!(d.phase, Phase::Pending);
    assert_eq!(d.next_at, t0() + Duration::seconds(1));
    assert_eq!(d.action(t0()), Action::Wait(t0() + Duration::seconds(1)));
    let d = d
        .begin_create()
        .on_create(Err(err(Landed::No, false, None)), t0(), &p);
    assert_eq!(d.next_at, t0() + Duration::seconds(2), "doubles");
    // A 429 asking for 30 s waits 30 s, not the 4 s backoff.
    let d = d
        .begin_create()
        .on_create(Err(err(Landed::No, false, Some(30))), t0(), &p);
    assert_eq!(d.next_at, t0() + Duration::seconds(30));
    assert_eq!(d.attempts, 3);
    assert_eq!(p.delay(40, None), p.backoff_max, "capped");
}

#[test]
fn a_permanent_refusal_fails_with_its_reason_and_a_retry_creates() {
    let p = Policy::default();
    let d =
        Delivery::new(t0())
            .begin_create()
            .on_create(Err(err(Landed::No, true, None)), t0(), &p);
    assert_eq!(d.phase.describe(), "failed: boom");
    assert_eq!(d.action(t0()), Action::Done);
    assert_eq!(d.retry(t0()).action(t0()), Action::Create);
}

#[test]
fn an_ambiguous_failure_searches_before_creating_again() {
    let p = Policy::default();
    let d = Delivery::new(t0()).begin_create().on_create(
        Err(err(Landed::Maybe, false, None)),
        t0(),
        &p,
    );
    assert!(matches!(d.phase, Phase::Searching { .. }));
    assert_eq!(
        d.action(t0()),
        Action::Search,
        "never a create after a maybe"
    );
    // Found: sent with that key, never created twice.
    let found = d.clone().on_search(Ok(vec![key("OPS-9")]), t0(), &p);
    assert_eq!(
        found.phase,
        Phase::Sent {
            key: "OPS-9".into()
        }
    );
    // Two keys (an earlier duplicate): the oldest.
    let two = d
        .clone()
        .on_search(Ok(vec![key("OPS-12"), key("OPS-11")]), t0(), &p);
    assert_eq!(
        two.phase,
        Phase::Sent {
            key: "OPS-11".into()
        }
    );
}

#[test]
fn an_empty_search_is_only_believed_after_the_whole_window() {
    let p = Policy::default();
    let mut d = Delivery::new(t0()).begin_create().on_create(
        Err(err(Landed::Maybe, false, None)),
        t0(),
        &p,
    );
    let mut now = t0();
    // Eventual consistency: every search inside the window keeps searching.
    while now - t0() < p.search_window {
        assert_eq!(d.action(now), Action::Search, "at {now}");
        d = d.on_search(Ok(vec![]), now, &p);
        assert!(matches!(d.phase, Phase::Searching { .. }), "at {now}");
        now = d.next_at;
    }
    d = d.on_search(Ok(vec![]), now, &p);
    assert_eq!(d.phase, Phase::Pending, "sure now: create again");
    assert_eq!(d.action(now), Action::Create);
    // A transient search failure neither counts as empty nor gives up.
    let s = Delivery::new(t0()).begin_create().on_create(
        Err(err(Landed::Maybe, false, None)),
        t0(),
        &p,
    );
    let late = t0() + p.search_window * 2;
    let s = s.on_search(Err(err(Landed::Maybe, false, Some(7))), late, &p);
    assert!(matches!(s.phase, Phase::Searching { empty: 0, .. }));
    assert_eq!(s.next_at, late + Duration::seconds(7));
}

#[test]
fn a_restart_while_sending_searches_first() {
    let d = Delivery::new(t0()).begin_create();
    let later = t0() + Duration::minutes(3);
    let r = d.resumed(later);
    assert_eq!(
        r.phase,
        Phase::Searching {
            since: later,
            empty: 0
        }
    );
    assert_eq!(r.action(later), Action::Search);
    // Anything else resumes as it was.
    let pending = Delivery::new(t0());
    assert_eq!(pending.clone().resumed(later), pending);
}

#[test]
fn a_permanent_search_failure_resumes_with_a_search() {
    let p = Policy::default();
    let d = Delivery::new(t0())
        .begin_create()
        .on_create(Err(err(Landed::Maybe, false, None)), t0(), &p)
        .on_search(Err(err(Landed::No, true, None)), t0(), &p);
    assert!(matches!(
        d.phase,
        Phase::Failed {
            resume: Resume::Search,
            ..
        }
    ));
    assert_eq!(d.retry(t0()).action(t0()), Action::Search);
}

/// A worker busy with other items searches late: the window's time passes after two
/// searches, but an empty answer is only believed after as many searches as fit in
/// the window (a search that lags by updates, not seconds, still finds the issue).
#[test]
fn late_searches_still_need_the_windows_count() {
    let p = Policy::default();
    assert_eq!(p.searches_to_believe(), 12);
    let mut d = Delivery::new(t0()).begin_create().on_create(
        Err(err(Landed::Maybe, false, None)),
        t0(),
        &p,
    );
    let late = t0() + p.search_window * 3;
    for n in 1..p.searches_to_believe() {
        d = d.on_search(Ok(vec![]), late, &p);
        assert!(
            matches!(d.phase, Phase::Searching { .. }),
            "after {n} late searches"
        );
    }
    d = d.on_search(Ok(vec![]), late, &p);
    assert_eq!(d.phase, Phase::Pending);
}
