//! The Prometheus source: per service, the SLI's error ratio over the burn-rate
//! windows and the SLO window (instant queries), the golden-signal charts (range
//! queries) and deployment markers. No data is `None`, never 0.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::Duration;
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinSet;

use super::api::{Answer, QueryData};
use super::client::PromClient;
use super::kept::{Kept, RangePlan};
use super::plan::{plan, query_for, split_answer, Ask, What};
use super::query::{aligned_range, clamp_step, from_api_time};
use crate::config::{PrometheusConfig, ServiceConfig};
use crate::event::{Event, SourceData, SourceError, SourceErrorKind, SourceEvent, SourceEventKind};
use crate::model::outside::OutsideText;
use crate::model::{Annotation, AnnotationKind, Series, SeriesKind, Ts, WindowRatios};
use crate::net::secret::prometheus_auth;
use crate::net::Auth;
use crate::sources::poller::Fetched;
use crate::sources::{EventTx, FetchError};

/// One query's answer, or why there is none.
type Answered = Result<Answer<QueryData>, FetchError>;

/// The chart range of one fetch.
#[derive(Clone, Copy)]
struct Range {
    start: Ts,
    end: Ts,
    step: Duration,
}

/// Queries in flight at once against one server.
const CONCURRENT_QUERIES: usize = 4;

pub struct PrometheusSource {
    client: PromClient,
    config: PrometheusConfig,
    services: Vec<ServiceConfig>,
    /// Resolved on first use and again after an auth failure (a rotated token).
    auth: Mutex<Option<Auth>>,
    permits: Semaphore,
    /// Answers a live poll may reuse (see `kept.rs`); never used for a past instant.
    kept: std::sync::Mutex<Kept>,
    /// Where each service's data goes as soon as it is in (and the source's id),
    /// until a live poll has delivered everything once; see [`Self::showing_arrivals`].
    arrivals: Option<(EventTx, String)>,
    /// Whether a live poll has delivered everything once.
    delivered: AtomicBool,
    /// Whether services sharing a template are asked in one grouped query.
    group: bool,
}

/// Longest version label shown on a deploy marker.
const MARKER_VERSION_CHARS: usize = 40;

/// What one service's queries produced.
struct ServiceResult {
    data: Vec<SourceData>,
    warnings: Vec<String>,
}

impl PrometheusSource {
    pub fn new(config: &PrometheusConfig, services: &[ServiceConfig]) -> Result<Self, SourceError> {
        Ok(Self::with_client(
            PromClient::new(config)?,
            config,
            services,
        ))
    }

    pub fn with_client(
        client: PromClient,
        config: &PrometheusConfig,
        services: &[ServiceConfig],
    ) -> Self {
        PrometheusSource {
            client,
            config: config.clone(),
            services: services
                .iter()
                .filter(|s| s.has_queries())
                .cloned()
                .collect(),
            auth: Mutex::new(None),
            permits: Semaphore::new(CONCURRENT_QUERIES),
            kept: std::sync::Mutex::new(Kept::default()),
            arrivals: None,
            delivered: AtomicBool::new(false),
            group: true,
        }
    }

    /// Asks every service's own queries, never a grouped one: what a grouped answer
    /// must equal, for the tests that compare the two on a real server.
    #[doc(hidden)]
    pub fn asking_each_service_alone(mut self) -> Self {
        self.group = false;
        self
    }

    /// Sends each service's data as an `Arrived` event of source `id` as soon as its
    /// own answers are in, until the first live poll has delivered everything: the
    /// first frame then shows the services that answer fast without waiting for the
    /// slowest. Later polls answer from kept windows within milliseconds and send
    /// only the whole fetch.
    pub fn showing_arrivals(mut self, events: EventTx, id: impl Into<String>) -> Self {
        self.arrivals = Some((events, id.into()));
        self
    }

    pub fn client(&self) -> &PromClient {
        &self.client
    }

    /// The credentials, resolving them (env or token_cmd) when not yet known.
    pub async fn auth(&self) -> Result<Auth, SourceError> {
        let mut guard = self.auth.lock().await;
        if let Some(auth) = guard.as_ref() {
            return Ok(auth.clone());
        }
        let auth = prometheus_auth(&self.config).await?;
        *guard = Some(auth.clone());
        Ok(auth)
    }

    /// Fetches everything as of `now`, asking every query (a past instant, a report).
    /// Transport and auth failures fail the fetch; a query the server rejects becomes
    /// a warning naming the service and query.
    pub async fn fetch_at(self: &Arc<Self>, now: Ts) -> Result<Fetched, FetchError> {
        self.fetch(now, false).await
    }

    /// One live poll as of `now` (the present): what `fetch_at(now)` shows, but the
    /// slow windows are reused while they cannot have moved and charts ask only the
    /// tail since their last point.
    pub async fn poll(self: &Arc<Self>, now: Ts) -> Result<Fetched, FetchError> {
        self.fetch(now, true).await
    }

    async fn fetch(self: &Arc<Self>, now: Ts, live: bool) -> Result<Fetched, FetchError> {
        let auth = self.auth().await?;
        let span = Duration::hours(i64::from(self.config.range_hours));
        let step = clamp_step(span, Duration::seconds(self.config.step_seconds as i64));
        let (start, end) = aligned_range(now, span, step);
        // The step the client would clamp the whole range to, fixed here so that a
        // tail is evaluated at the same instants as the whole range.
        let step = clamp_step(end - start, step);
        let range = Range { start, end, step };
        // Until a live poll has shown everything once, each answer is shown as it
        // arrives (the fast windows are answered first), rather than when the slowest
        // query of the fetch is: with grouped queries every service waits on every ask.
        let arrivals = self
            .arrivals
            .as_ref()
            .filter(|_| live && !self.delivered.load(Ordering::Relaxed));

        let asks = plan(&self.services, step, self.group);
        let count = self.services.len();
        let mut pending = vec![0usize; count];
        for ask in &asks {
            for &m in &ask.members {
                pending[m] += 1;
            }
        }
        let mut answers: Vec<HashMap<What, Answered>> = vec![HashMap::new(); count];
        let mut results: Vec<Option<ServiceResult>> = (0..count).map(|_| None).collect();
        for (index, slot) in results.iter_mut().enumerate() {
            if pending[index] == 0 {
                *slot = Some(self.assemble(index, HashMap::new(), step)?);
            }
        }
        let mut set = JoinSet::new();
        for ask in asks {
            let this = Arc::clone(self);
            let auth = auth.clone();
            set.spawn(async move {
                let answer = this.ask(&ask, now, range, &auth, live).await;
                (ask, answer)
            });
        }
        while let Some(joined) = set.join_next().await {
            let (ask, answer) = joined.map_err(|_| {
                FetchError::new(SourceError {
                    kind: SourceErrorKind::BadResponse,
                    message: "a query task failed unexpectedly".into(),
                })
            })?;
            // A rejected query is a warning of its services; anything else (transport,
            // auth) fails the whole fetch, as it would fail every other query too.
            if let Err(e) = &answer {
                if e.kind != SourceErrorKind::Query {
                    if e.kind == SourceErrorKind::Auth {
                        *self.auth.lock().await = None;
                    }
                    return Err(e.clone());
                }
            }
            let mut arrived = Vec::new();
            for (k, &m) in ask.members.iter().enumerate() {
                let own = match &ask.split {
                    Some(label) => split_answer(&answer, label, &self.services[m].name, k == 0),
                    None => answer.clone(),
                };
                answers[m].insert(ask.what, own);
                pending[m] -= 1;
                if pending[m] == 0 {
                    let result = self.assemble(m, std::mem::take(&mut answers[m]), step)?;
                    if arrivals.is_some() {
                        arrived.extend(result.data.iter().cloned());
                    }
                    results[m] = Some(result);
                } else if arrivals.is_some() {
                    // What this service has so far; its windows not yet answered are
                    // None here, and the cockpit keeps what it showed for them.
                    arrived.extend(self.assemble(m, answers[m].clone(), step)?.data);
                }
            }
            if let Some((events, id)) = arrivals {
                let _ = events
                    .send(Event::Source(SourceEvent {
                        source: id.clone(),
                        kind: SourceEventKind::Arrived { data: arrived },
                    }))
                    .await;
            }
        }
        let mut fetched = Fetched {
            data: vec![SourceData::Services(
                self.services.iter().map(|s| s.name.clone()).collect(),
            )],
            warnings: Vec::new(),
        };
        for r in results.into_iter().flatten() {
            fetched.data.extend(r.data);
            for w in r.warnings.into_iter().map(OutsideText::from) {
                if !fetched.warnings.contains(&w) {
                    fetched.warnings.push(w);
                }
            }
        }
        if live {
            self.delivered.store(true, Ordering::Relaxed);
        }
        Ok(fetched)
    }

    /// Sends one ask: a range query for a chart or markers, else an instant query.
    async fn ask(&self, ask: &Ask, now: Ts, range: Range, auth: &Auth, live: bool) -> Answered {
        if ask.what.is_range() {
            self.range(&ask.query, range.start, range.end, range.step, auth, live)
                .await
        } else {
            self.instant(&ask.query, ask.window, now, auth, live).await
        }
    }

    /// One service's data from its answers, in the order it has always come: the
    /// ratios, the charts, the deploy markers.
    fn assemble(
        &self,
        index: usize,
        mut answers: HashMap<What, Answered>,
        step: Duration,
    ) -> Result<ServiceResult, FetchError> {
        let service = &self.services[index];
        let name = service.name.as_str();
        let mut out = ServiceResult {
            data: Vec::new(),
            warnings: Vec::new(),
        };
        if service.sli().is_some() {
            let mut values = [None; 6];
            for (slot, value) in values.iter_mut().enumerate() {
                if let Some(answer) = answers.remove(&What::Window(slot)) {
                    *value = self.single_value(answer, name, "error ratio", &mut out.warnings)?;
                }
            }
            let [m5, m30, h1, h6, d3, slo] = values;
            // The mean request rate over the SLO window: what the budget a deployment
            // consumed is a share of (a chart's few hours would misjudge it).
            let slo_window_request_rate = match answers.remove(&What::SloRate) {
                Some(answer) => {
                    self.single_value(answer, name, "request rate", &mut out.warnings)?
                }
                None => None,
            };
            out.data.push(SourceData::Ratios {
                service: name.to_string(),
                ratios: WindowRatios {
                    m5,
                    m30,
                    h1,
                    h6,
                    d3,
                    slo_window: slo,
                    slo_window_request_rate,
                },
            });
        }
        for kind in [
            SeriesKind::ErrorRatio,
            SeriesKind::LatencyP99,
            SeriesKind::RequestRate,
        ] {
            let Some(answer) = answers.remove(&What::Chart(kind)) else {
                continue;
            };
            if let Some(points) =
                self.single_series(answer, name, kind_word(kind), &mut out.warnings)?
            {
                let query = query_for(service, What::Chart(kind), name, step).unwrap_or_default();
                out.data.push(SourceData::Series {
                    service: name.to_string(),
                    kind,
                    series: Series { query, points },
                });
            }
        }
        if let Some(answer) = answers.remove(&What::Markers) {
            let markers = self.markers(answer, name, &mut out.warnings)?;
            if !markers.is_empty() {
                out.data.push(SourceData::Annotations(markers));
            }
        }
        Ok(out)
    }

    /// An instant query about a window of `window` seconds; a live poll reuses the
    /// kept answer while the window's pace lasts.
    async fn instant(
        &self,
        query: &str,
        window: i64,
        at: Ts,
        auth: &Auth,
        live: bool,
    ) -> Result<Answer<QueryData>, FetchError> {
        if live {
            if let Some(answer) = self.kept().instant(query, window, at) {
                return Ok(answer);
            }
        }
        let answer = {
            let _permit = self.permits.acquire().await;
            self.client.instant(query, at, auth).await
        };
        if live {
            match &answer {
                Ok(a) => self.kept().keep_instant(query, at, a),
                Err(_) => self.kept().forget(query),
            }
        }
        answer
    }

    /// A range query; a live poll asks only the tail since the kept answer's last
    /// point and merges it in, or nothing when the range has not moved a step.
    async fn range(
        &self,
        query: &str,
        start: Ts,
        end: Ts,
        step: Duration,
        auth: &Auth,
        live: bool,
    ) -> Result<Answer<QueryData>, FetchError> {
        if !live {
            let _permit = self.permits.acquire().await;
            return self.client.range(query, start, end, step, auth).await;
        }
        let plan = self.kept().plan_range(query, end);
        if plan == RangePlan::Reuse {
            if let Some(answer) = self.kept().kept_range(query) {
                return Ok(answer);
            }
        }
        if let RangePlan::Tail { from } = plan {
            let tail = {
                let _permit = self.permits.acquire().await;
                self.client.range(query, from, end, step, auth).await
            };
            match tail {
                Ok(tail) => {
                    if let Some(merged) = self.kept().merge_tail(query, from, start, end, tail) {
                        return Ok(merged);
                    }
                }
                Err(e) => {
                    self.kept().forget(query);
                    return Err(e);
                }
            }
        }
        let answer = {
            let _permit = self.permits.acquire().await;
            self.client.range(query, start, end, step, auth).await
        };
        match &answer {
            Ok(a) => self.kept().keep_range(query, end, a),
            Err(_) => self.kept().forget(query),
        }
        answer
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while holding it cannot leave it half-written: every update is one
        // insert or remove.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One number from an instant query; `None` for no data, NaN or ±Inf.
    fn single_value(
        &self,
        answer: Result<Answer<QueryData>, FetchError>,
        service: &str,
        what: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<f64>, FetchError> {
        let Some(answer) = rejected_as_warning(answer, service, what, warnings)? else {
            return Ok(None);
        };
        warnings.extend(
            answer
                .warnings
                .into_iter()
                .map(|w| format!("{service}: {w}")),
        );
        let value = match answer.data {
            QueryData::Scalar(p) => Some(p.value()),
            QueryData::Vector(v) if v.is_empty() => None,
            QueryData::Vector(v) if v.len() == 1 => v[0].value.as_ref().map(|p| p.value()),
            QueryData::Vector(v) => {
                warnings.push(format!(
                    "{service}: the {what} query returned {} series, expected one; aggregate it with sum()",
                    v.len()
                ));
                None
            }
            _ => {
                warnings.push(format!(
                    "{service}: the {what} query did not return a number"
                ));
                None
            }
        };
        Ok(value.filter(|v| v.is_finite()))
    }

    /// The points of a range query with exactly one series.
    fn single_series(
        &self,
        answer: Result<Answer<QueryData>, FetchError>,
        service: &str,
        what: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Vec<(Ts, f64)>>, FetchError> {
        let Some(answer) = rejected_as_warning(answer, service, what, warnings)? else {
            return Ok(None);
        };
        warnings.extend(
            answer
                .warnings
                .into_iter()
                .map(|w| format!("{service}: {w}")),
        );
        match answer.data {
            QueryData::Matrix(series) if series.is_empty() => Ok(None),
            QueryData::Matrix(series) if series.len() == 1 => Ok(Some(
                series[0]
                    .values
                    .iter()
                    .filter_map(|p| from_api_time(p.0).map(|t| (t, p.value())))
                    .collect(),
            )),
            QueryData::Matrix(series) => {
                warnings.push(format!(
                    "{service}: the {what} query returned {} series, expected one; aggregate it with sum()",
                    series.len()
                ));
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    fn markers(
        &self,
        answer: Result<Answer<QueryData>, FetchError>,
        service: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Annotation>, FetchError> {
        let Some(answer) = rejected_as_warning(answer, service, "deploy marker", warnings)? else {
            return Ok(Vec::new());
        };
        // A partial answer (Thanos) still draws markers, and says so.
        for w in answer.warnings {
            let w = format!("{service}: {w}");
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        let QueryData::Matrix(series) = answer.data else {
            return Ok(Vec::new());
        };
        let mut markers = Vec::new();
        for s in &series {
            let version = s
                .metric
                .get("version")
                .map(|v| OutsideText::with_limit(v, MARKER_VERSION_CHARS));
            for p in s.values.iter().filter(|p| p.value() > 0.0) {
                if let Some(at) = from_api_time(p.0) {
                    markers.push(Annotation {
                        at,
                        service: Some(service.to_string()),
                        text: match &version {
                            Some(v) => format!("deploy {v}"),
                            None => "deploy".to_string(),
                        },
                        kind: AnnotationKind::DeployMarker,
                    });
                }
            }
        }
        markers.sort_by_key(|m| m.at);
        Ok(markers)
    }
}

/// A query the server rejected (bad PromQL) is the user's to fix but should not hide
/// the other services: it becomes a warning. Every other error fails the fetch.
fn rejected_as_warning(
    answer: Result<Answer<QueryData>, FetchError>,
    service: &str,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<Answer<QueryData>>, FetchError> {
    match answer {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.kind == SourceErrorKind::Query => {
            let w = format!("{service}: the {what} query was rejected: {}", e.message);
            if !warnings.contains(&w) {
                warnings.push(w);
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn kind_word(kind: SeriesKind) -> &'static str {
    match kind {
        SeriesKind::ErrorRatio => "error ratio",
        SeriesKind::LatencyP99 => "p99 latency",
        SeriesKind::RequestRate => "request rate",
    }
}
