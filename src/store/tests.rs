//! Migration from an old schema, and the series aggregation rule.

use chrono::TimeZone;

use super::*;
use crate::model::{Series, SeriesKind, WindowRatios};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fd-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("nested").join("cache.sqlite3")
}

fn at(h: u32, m: u32) -> Ts {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0)
        .single()
        .expect("valid time")
}

use chrono::Utc;

#[test]
fn a_version_1_cache_keeps_its_data_through_migration() {
    let path = temp_db("migrate");
    let ratios = WindowRatios {
        h1: Some(0.002),
        ..Default::default()
    };
    {
        let mut v1 = Cache::open_at_version(&path, 1).expect("v1 opens");
        assert_eq!(v1.schema_version().expect("version"), 1);
        // Version 1 has no services table: save only what it knows, by hand.
        let tx = v1.conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO ratios (source, service, at, json) VALUES ('prometheus', 'api', ?1, ?2)",
            rusqlite::params![
                at(10, 0).timestamp(),
                serde_json::to_string(&ratios).expect("json")
            ],
        )
        .expect("insert");
        tx.execute(
            "INSERT INTO watermarks (source, at) VALUES ('prometheus', ?1)",
            [at(10, 0).timestamp()],
        )
        .expect("insert");
        tx.commit().expect("commit");
    }
    let cache = Cache::open(&path).expect("migrates to current");
    assert_eq!(cache.schema_version().expect("version"), schema::CURRENT);
    let loaded = cache.load().expect("loads");
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].1, at(10, 0));
    assert!(matches!(
        &loaded[0].2[..],
        [SourceData::Ratios { service, ratios: r }] if service == "api" && *r == ratios
    ));
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let path = temp_db("newer");
    drop(Cache::open(&path).expect("opens"));
    let conn = Connection::open(&path).expect("raw open");
    conn.pragma_update(None, "user_version", schema::CURRENT + 1)
        .expect("bump");
    drop(conn);
    match Cache::open(&path) {
        Err(StoreError::Newer { found, .. }) => assert_eq!(found, schema::CURRENT + 1),
        other => panic!("expected Newer, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn series_are_averaged_into_five_minute_buckets() {
    let path = temp_db("buckets");
    let mut cache = Cache::open(&path).expect("opens");
    let series = Series {
        query: "q".into(),
        // 10:00 and 10:01 share a bucket (mean 2), 10:05 starts the next; NaN is dropped.
        points: vec![
            (at(10, 0), 1.0),
            (at(10, 1), 3.0),
            (at(10, 5), 5.0),
            (at(10, 6), f64::NAN),
        ],
    };
    let data = [SourceData::Series {
        service: "api".into(),
        kind: SeriesKind::LatencyP99,
        series,
    }];
    cache.save("prometheus", at(10, 6), &data).expect("saves");
    let loaded = cache.load().expect("loads");
    let [(_, _, items)] = &loaded[..] else {
        panic!("one source")
    };
    let [SourceData::Series { series, .. }] = &items[..] else {
        panic!("one series")
    };
    assert_eq!(series.points, vec![(at(10, 0), 2.0), (at(10, 5), 5.0)]);
    assert_eq!(series.query, "q");
}

fn day(d: i64) -> Ts {
    at(0, 0) - chrono::Duration::days(d)
}

fn raw_points(cache: &Cache) -> i64 {
    cache
        .conn
        .query_row("SELECT count(*) FROM series_points", [], |r| r.get(0))
        .expect("count")
}

/// DESIGN §6: raw data follows the retention (90 days), aggregates stay two years.
#[test]
fn daily_aggregates_outlive_the_raw_points() {
    let path = temp_db("daily");
    let mut cache = Cache::open(&path).expect("opens");
    let series = |points: Vec<(Ts, f64)>| SourceData::Series {
        service: "api".into(),
        kind: SeriesKind::ErrorRatio,
        series: Series {
            query: "q".into(),
            points,
        },
    };
    // 100 days ago: buckets of 1, 2 and 6 (means of the 5-minute buckets: 1, 2, 6).
    let old = day(100) + chrono::Duration::hours(10);
    let m = chrono::Duration::minutes;
    cache
        .save(
            "prometheus",
            old,
            &[series(vec![
                (old, 1.0),
                (old + m(5), 2.0),
                (old + m(10), 6.0),
            ])],
        )
        .expect("saves");
    // 800 days ago, and today.
    cache
        .save("prometheus", day(800), &[series(vec![(day(800), 4.0)])])
        .expect("saves");
    cache
        .save("prometheus", at(10, 0), &[series(vec![(at(10, 0), 5.0)])])
        .expect("saves");
    assert_eq!(raw_points(&cache), 5);

    cache
        .purge(at(12, 0), chrono::Duration::days(90))
        .expect("purges");
    assert_eq!(
        raw_points(&cache),
        1,
        "only today's point is within 90 days"
    );
    let daily = cache
        .daily("prometheus", "api", SeriesKind::ErrorRatio)
        .expect("reads");
    assert_eq!(
        daily,
        vec![
            DailyAggregate {
                day: day(100),
                mean: 3.0,
                min: 1.0,
                max: 6.0,
                buckets: 3,
            },
            DailyAggregate {
                day: day(0),
                mean: 5.0,
                min: 5.0,
                max: 5.0,
                buckets: 1,
            },
        ],
        "the day 800 days ago is past the two years"
    );
}

#[test]
fn migration_3_builds_daily_aggregates_from_cached_points() {
    let path = temp_db("migrate3");
    {
        let v2 = Cache::open_at_version(&path, 2).expect("v2 opens");
        for (bucket, value) in [(0, 1.0), (300, 3.0), (86_400, 7.0)] {
            v2.conn
                .execute(
                    "INSERT INTO series_points (source, service, kind, bucket, value) VALUES ('p', 'api', 'latency_p99', ?1, ?2)",
                    rusqlite::params![day(10).timestamp() + bucket, value],
                )
                .expect("insert");
        }
    }
    let cache = Cache::open(&path).expect("migrates");
    let daily = cache
        .daily("p", "api", SeriesKind::LatencyP99)
        .expect("reads");
    let summary: Vec<(Ts, f64, u32)> = daily.iter().map(|d| (d.day, d.mean, d.buckets)).collect();
    assert_eq!(summary, vec![(day(10), 2.0, 2), (day(9), 7.0, 1)]);
}
