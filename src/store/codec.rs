//! Mapping [`SourceData`] to rows and back. Deployments and incidents are JSON
//! blobs beside the indexed columns they are found and purged by.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{CachedSource, DailyAggregate, StoreError, BUCKET_SECONDS, SERIES_LOAD_SPAN};
use crate::event::SourceData;
use crate::model::{Annotation, AnnotationKind, Series, SeriesKind, Ts, WindowRatios};

const DAY_SECONDS: i64 = 86_400;

fn kind_name(kind: SeriesKind) -> &'static str {
    match kind {
        SeriesKind::ErrorRatio => "error_ratio",
        SeriesKind::LatencyP99 => "latency_p99",
        SeriesKind::RequestRate => "request_rate",
    }
}

fn kind_from(name: &str) -> Option<SeriesKind> {
    match name {
        "error_ratio" => Some(SeriesKind::ErrorRatio),
        "latency_p99" => Some(SeriesKind::LatencyP99),
        "request_rate" => Some(SeriesKind::RequestRate),
        _ => None,
    }
}

fn annotation_kind_name(kind: AnnotationKind) -> &'static str {
    match kind {
        AnnotationKind::ProcessChange => "process_change",
        AnnotationKind::Note => "note",
        AnnotationKind::DeployMarker => "deploy_marker",
    }
}

fn annotation_kind_from(name: &str) -> Option<AnnotationKind> {
    match name {
        "process_change" => Some(AnnotationKind::ProcessChange),
        "note" => Some(AnnotationKind::Note),
        "deploy_marker" => Some(AnnotationKind::DeployMarker),
        _ => None,
    }
}

fn ts(secs: i64) -> Ts {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default()
}

pub(super) fn save(
    tx: &Transaction<'_>,
    source: &str,
    at: Ts,
    data: &[SourceData],
) -> Result<(), StoreError> {
    for item in data {
        match item {
            SourceData::Services(names) => {
                tx.execute(
                    "INSERT OR REPLACE INTO services (source, json) VALUES (?1, ?2)",
                    params![source, serde_json::to_string(names)?],
                )?;
            }
            SourceData::Deployments(deployments) => {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO deployments (id, source, service, at, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for d in deployments {
                    let when = d.finished_at.unwrap_or(d.started_at).timestamp();
                    stmt.execute(params![
                        d.id,
                        source,
                        d.service,
                        when,
                        serde_json::to_string(d)?
                    ])?;
                }
            }
            SourceData::Incidents(incidents) => {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO incidents (key, source, service, at, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for i in incidents {
                    stmt.execute(params![
                        i.key,
                        source,
                        i.service,
                        i.created_at.timestamp(),
                        serde_json::to_string(i)?
                    ])?;
                }
            }
            SourceData::Series {
                service,
                kind,
                series,
            } => save_series(tx, source, service, *kind, series)?,
            SourceData::Ratios { service, ratios } => {
                tx.execute(
                    "INSERT OR REPLACE INTO ratios (source, service, at, json) VALUES (?1, ?2, ?3, ?4)",
                    params![source, service, at.timestamp(), serde_json::to_string(ratios)?],
                )?;
            }
            SourceData::Annotations(annotations) => {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR IGNORE INTO annotations (source, at, service, kind, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for a in annotations {
                    stmt.execute(params![
                        source,
                        a.at.timestamp(),
                        a.service.as_deref().unwrap_or(""),
                        annotation_kind_name(a.kind),
                        a.text
                    ])?;
                }
            }
            // Rejected records describe one fetch; the next fetch reports them again.
            SourceData::Rejected(_) => {}
            SourceData::SyncState(entries) => {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO sync_state (source, key, at, json) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for e in entries {
                    stmt.execute(params![source, e.key, e.at.map(|t| t.timestamp()), e.json])?;
                }
            }
        }
    }
    tx.execute(
        "INSERT INTO watermarks (source, at) VALUES (?1, ?2)
         ON CONFLICT(source) DO UPDATE SET at = max(at, excluded.at)",
        params![source, at.timestamp()],
    )?;
    Ok(())
}

/// Points are averaged into 5-minute buckets; a bucket seen again is replaced by the
/// newer fetch's mean. Non-finite values (no data) are not stored. Each day the
/// fetch touched gets its daily aggregate recomputed from that day's buckets, so it
/// outlives the buckets (which follow the raw retention) with their final values.
fn save_series(
    tx: &Transaction<'_>,
    source: &str,
    service: &str,
    kind: SeriesKind,
    series: &Series,
) -> Result<(), StoreError> {
    let mut buckets: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
    for (t, v) in series.points.iter().filter(|(_, v)| v.is_finite()) {
        let secs = t.timestamp();
        let e = buckets
            .entry(secs - secs.rem_euclid(BUCKET_SECONDS))
            .or_insert((0.0, 0));
        e.0 += v;
        e.1 += 1;
    }
    let kind = kind_name(kind);
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO series_points (source, service, kind, bucket, value) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (bucket, (sum, n)) in &buckets {
        stmt.execute(params![source, service, kind, bucket, sum / f64::from(*n)])?;
    }
    let days: std::collections::BTreeSet<i64> = buckets
        .keys()
        .map(|b| b - b.rem_euclid(DAY_SECONDS))
        .collect();
    let mut daily = tx.prepare_cached(
        "INSERT OR REPLACE INTO series_daily (source, service, kind, day, mean, min, max, buckets)
         SELECT ?1, ?2, ?3, ?4, avg(value), min(value), max(value), count(*)
         FROM series_points
         WHERE source = ?1 AND service = ?2 AND kind = ?3 AND bucket >= ?4 AND bucket < ?4 + 86400
         HAVING count(*) > 0",
    )?;
    for day in days {
        daily.execute(params![source, service, kind, day])?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO series_queries (source, service, kind, query) VALUES (?1, ?2, ?3, ?4)",
        params![source, service, kind, series.query],
    )?;
    Ok(())
}

pub(super) fn load(conn: &Connection) -> Result<Vec<CachedSource>, StoreError> {
    let mut stmt = conn.prepare("SELECT source, at FROM watermarks ORDER BY source")?;
    let marks: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (source, at) in marks {
        out.push((source.clone(), ts(at), load_source(conn, &source, at)?));
    }
    Ok(out)
}

/// Rows that no longer decode (written by a different model version) are skipped:
/// the cache is a convenience, and the next fetch brings them back.
fn load_source(conn: &Connection, source: &str, at: i64) -> Result<Vec<SourceData>, StoreError> {
    let mut data = Vec::new();
    let services: Option<String> = conn
        .query_row(
            "SELECT json FROM services WHERE source = ?1",
            [source],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(names) = services.and_then(|j| serde_json::from_str(&j).ok()) {
        data.push(SourceData::Services(names));
    }
    let deployments = json_rows(
        conn,
        "SELECT json FROM deployments WHERE source = ?1 ORDER BY at",
        source,
    )?;
    if !deployments.is_empty() {
        data.push(SourceData::Deployments(deployments));
    }
    let incidents = json_rows(
        conn,
        "SELECT json FROM incidents WHERE source = ?1 ORDER BY at",
        source,
    )?;
    if !incidents.is_empty() {
        data.push(SourceData::Incidents(incidents));
    }
    let mut stmt =
        conn.prepare_cached("SELECT service, json FROM ratios WHERE source = ?1 ORDER BY service")?;
    let ratios: Vec<(String, String)> = stmt
        .query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (service, json) in ratios {
        if let Ok(ratios) = serde_json::from_str::<WindowRatios>(&json) {
            data.push(SourceData::Ratios { service, ratios });
        }
    }
    load_series(conn, source, at, &mut data)?;
    let mut stmt = conn.prepare_cached(
        "SELECT at, service, kind, text FROM annotations WHERE source = ?1 ORDER BY at",
    )?;
    let annotations: Vec<Annotation> = stmt
        .query_map([source], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .filter_map(|row| {
            let (at, service, kind, text) = row.ok()?;
            Some(Annotation {
                at: ts(at),
                service: (!service.is_empty()).then_some(service),
                text,
                kind: annotation_kind_from(&kind)?,
            })
        })
        .collect();
    if !annotations.is_empty() {
        data.push(SourceData::Annotations(annotations));
    }
    Ok(data)
}

fn json_rows<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    source: &str,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([source], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        if let Ok(v) = serde_json::from_str(&row?) {
            out.push(v);
        }
    }
    Ok(out)
}

fn load_series(
    conn: &Connection,
    source: &str,
    at: i64,
    data: &mut Vec<SourceData>,
) -> Result<(), StoreError> {
    let since = at - SERIES_LOAD_SPAN.num_seconds();
    let mut stmt = conn.prepare_cached(
        "SELECT q.service, q.kind, q.query, p.bucket, p.value
         FROM series_queries q JOIN series_points p
           ON p.source = q.source AND p.service = q.service AND p.kind = q.kind
         WHERE q.source = ?1 AND p.bucket >= ?2
         ORDER BY q.service, q.kind, p.bucket",
    )?;
    let mut rows = stmt.query(params![source, since])?;
    let mut current: Option<(String, SeriesKind, Series)> = None;
    while let Some(row) = rows.next()? {
        let service: String = row.get(0)?;
        let kind_text: String = row.get(1)?;
        let Some(kind) = kind_from(&kind_text) else {
            continue;
        };
        let point = (ts(row.get(3)?), row.get::<_, f64>(4)?);
        match &mut current {
            Some((s, k, series)) if *s == service && *k == kind => series.points.push(point),
            _ => {
                if let Some((service, kind, series)) = current.take() {
                    data.push(SourceData::Series {
                        service,
                        kind,
                        series,
                    });
                }
                current = Some((
                    service,
                    kind,
                    Series {
                        query: row.get(2)?,
                        points: vec![point],
                    },
                ));
            }
        }
    }
    if let Some((service, kind, series)) = current {
        data.push(SourceData::Series {
            service,
            kind,
            series,
        });
    }
    Ok(())
}

pub(super) fn daily(
    conn: &Connection,
    source: &str,
    service: &str,
    kind: SeriesKind,
) -> Result<Vec<DailyAggregate>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, mean, min, max, buckets FROM series_daily
         WHERE source = ?1 AND service = ?2 AND kind = ?3 ORDER BY day",
    )?;
    let rows = stmt.query_map(params![source, service, kind_name(kind)], |r| {
        Ok(DailyAggregate {
            day: ts(r.get(0)?),
            mean: r.get(1)?,
            min: r.get(2)?,
            max: r.get(3)?,
            buckets: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One source's sync state: each entry's key and json, in key order.
pub(super) fn sync_state(
    conn: &Connection,
    source: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT key, json FROM sync_state WHERE source = ?1 ORDER BY key")?;
    let rows = stmt.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
