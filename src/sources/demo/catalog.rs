//! The fixed cast of the demo: its four services and their character (SLO, traffic,
//! error baseline, latency, release habits), the people who ship them and the commit
//! titles they write. Plain data; the generators read it.

/// What a service looks like and how its team releases.
#[derive(Debug, Clone, Copy)]
pub struct ServiceProfile {
    pub name: &'static str,
    pub slo_target: f64,
    /// Requests per second at the daily peak.
    pub peak_rps: f64,
    /// Error ratio on a quiet day (a fraction of the budget, so the gauge is not empty).
    pub base_ratio: f64,
    /// Typical p99 latency in seconds.
    pub p99_seconds: f64,
    /// Progressive delivery (canary 5% → 25% → 100%) instead of a single deploy stage.
    pub canary: bool,
    /// Chance that a production deployment is preceded by a staging one.
    pub staging_share: f64,
    pub first_version: (u32, u32, u32),
    /// Usual number of commits per deployment (a few are large batches regardless).
    pub commits: (i64, i64),
    /// Hours a change usually waits between commit and merge (upper bound).
    pub review_hours: f64,
    pub titles: &'static [&'static str],
}

/// The services in display order. The live rollout is of the first one.
pub const PROFILES: [ServiceProfile; 4] = [
    ServiceProfile {
        name: "checkout",
        slo_target: 0.999,
        peak_rps: 140.0,
        base_ratio: 0.00028,
        p99_seconds: 0.42,
        canary: true,
        staging_share: 0.25,
        first_version: (4, 18, 0),
        commits: (1, 6),
        review_hours: 20.0,
        titles: CHECKOUT_TITLES,
    },
    ServiceProfile {
        name: "payments",
        slo_target: 0.9995,
        peak_rps: 60.0,
        base_ratio: 0.00011,
        p99_seconds: 0.65,
        canary: true,
        staging_share: 1.0,
        first_version: (2, 7, 0),
        commits: (2, 9),
        review_hours: 40.0,
        titles: PAYMENTS_TITLES,
    },
    ServiceProfile {
        name: "search",
        slo_target: 0.995,
        peak_rps: 420.0,
        base_ratio: 0.0016,
        p99_seconds: 0.19,
        canary: false,
        staging_share: 0.5,
        first_version: (1, 31, 0),
        commits: (3, 13),
        review_hours: 30.0,
        titles: SEARCH_TITLES,
    },
    ServiceProfile {
        name: "gateway",
        slo_target: 0.999,
        peak_rps: 950.0,
        base_ratio: 0.00022,
        p99_seconds: 0.085,
        canary: false,
        staging_share: 1.0,
        first_version: (3, 2, 0),
        commits: (5, 19),
        review_hours: 60.0,
        titles: GATEWAY_TITLES,
    },
];

/// SLO window of every demo service, in days.
pub const SLO_WINDOW_DAYS: i64 = 30;

/// Engineers who merge and deploy.
pub const PEOPLE: &[&str] = &[
    "Aiko Tanaka",
    "Ben Okafor",
    "Carla Mendes",
    "Dmitri Volkov",
    "Elena Rossi",
    "Farah Haddad",
    "Gustav Lind",
    "Hannah Weiss",
    "Ivan Petrov",
    "Jonas Berg",
    "Kavya Iyer",
    "Liam O'Brien",
    "Mei Chen",
    "Nora Alvarez",
    "Omar Siddiqui",
    "Priya Nair",
];

/// Who presses the button when the demo user rolls back.
pub const DEMO_USER: &str = "you (demo)";

const CHECKOUT_TITLES: &[&str] = &[
    "Fix cart total rounding for JPY",
    "Add promo code validation to cart API",
    "Retry address lookup on 503",
    "Cache shipping quotes for 60s",
    "Handle empty cart on express checkout",
    "Remove legacy PayPal button",
    "Validate postal codes for CA and GB",
    "Show delivery estimate on review step",
    "Log cart id on payment failures",
    "Fix double submit on Place order",
    "Migrate cart sessions to Redis 7",
    "Add idempotency key to order creation",
    "Tune order service timeouts",
    "Guard against negative line quantities",
    "Split checkout handler into step modules",
];

const PAYMENTS_TITLES: &[&str] = &[
    "Rotate PSP API keys via Vault",
    "Add 3DS2 challenge fallback",
    "Fix refund amount for partial captures",
    "Retry capture on PSP timeout with backoff",
    "Parse SEPA settlement files with BOM",
    "Add metrics for authorization latency",
    "Handle duplicate webhook deliveries",
    "Mask PAN in debug logs",
    "Upgrade PSP SDK to 7.3",
    "Validate currency on refunds",
    "Encrypt stored authorization codes",
    "Fix rounding in fee calculation",
    "Add circuit breaker around fraud check",
];

const SEARCH_TITLES: &[&str] = &[
    "Tune BM25 weights for product titles",
    "Add synonym list for clothing sizes",
    "Fix pagination cursor after reindex",
    "Boost in-stock items",
    "Cache facet counts per category",
    "Handle diacritics in query parser",
    "Reindex job: batch size 500",
    "Add typo tolerance for short queries",
    "Drop deprecated v1 search endpoint",
    "Log zero-result queries",
];

const GATEWAY_TITLES: &[&str] = &[
    "Bump Envoy to 1.30.2",
    "Add rate limit for /login",
    "Rotate TLS certificates",
    "Route /v2/search to the new cluster",
    "Increase upstream keepalive to 60s",
    "Add request id header",
    "Block the TRACE method",
    "Fix CORS for partner domain",
    "Tune retry budget for checkout route",
    "Enable HTTP/2 to upstreams",
];

/// Titles any team writes.
pub const GENERIC_TITLES: &[&str] = &[
    "Bump tokio to 1.38",
    "Fix flaky integration test",
    "Rename OpenTelemetry spans",
    "Refactor config loading",
    "Document local setup in README",
    "Fix clippy warnings",
    "Upgrade base image to Debian 12.6",
    "Add structured logging fields",
    "Remove dead feature flag",
    "Cover error paths with tests",
    "Update CODEOWNERS",
    "Pin CI runner image",
];

/// The commits of the live rollout: the first is the one that breaks checkout.
pub const LIVE_TITLES: &[&str] = &[
    "Serialize saved card payment methods with schema v2",
    "Add feature flag for one-click checkout",
    "Bump payments client to 7.3",
    "Show delivery estimate on review step",
    "Fix flaky integration test",
];
