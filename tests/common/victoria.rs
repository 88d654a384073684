//! A real VictoriaMetrics (Debian's `victoria-metrics`, single-node) on a free loopback
//! port, loaded with the same OpenMetrics history the Prometheus tests backfill;
//! stopped and its directory removed when dropped. Without the binary the caller
//! fails, unless FLIGHTDECK_SKIP_PROMETHEUS=1 (the switch for every real-server test).

use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use super::prometheus::{free_port, wait_ready, which, Prometheus};

/// Starts VictoriaMetrics and imports `om` (OpenMetrics, seconds) as Prometheus text
/// (milliseconds); `None` only when skipping is allowed. The handle is the same kind
/// as a Prometheus's: a child, its directory and its URL.
pub async fn start_victoria(name: &str, om: &str) -> Option<Prometheus> {
    let Some(binary) = which("victoria-metrics") else {
        if std::env::var("FLIGHTDECK_SKIP_PROMETHEUS").as_deref() == Ok("1") {
            super::report_skip(
                &format!("{} ({name})", env!("CARGO_CRATE_NAME")),
                "victoria-metrics not installed and FLIGHTDECK_SKIP_PROMETHEUS=1",
            );
            return None;
        }
        panic!(
            "victoria-metrics is needed for this test: run scripts/install-test-deps \
             (Debian: apt-get install victoria-metrics), or set FLIGHTDECK_SKIP_PROMETHEUS=1"
        );
    };
    let dir = std::env::temp_dir().join(format!(
        "fd-vm-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("-storageDataPath={}", dir.display()))
        .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
        .arg("-retentionPeriod=100y")
        // Answer about the newest samples at once (no 30 s "not yet complete" offset).
        .arg("-search.latencyOffset=0s")
        .arg("-search.disableCache")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("victoria-metrics starts");
    let server = Prometheus {
        child,
        dir,
        url: format!("http://127.0.0.1:{port}"),
    };
    wait_ready(&format!("{}/health", server.url), "victoria-metrics").await;
    let client = reqwest::Client::new();
    let imported = client
        .post(format!("{}/api/v1/import/prometheus", server.url))
        .body(prometheus_text(om))
        .send()
        .await
        .expect("import reaches victoria-metrics");
    assert!(
        imported.status().is_success(),
        "import refused: {imported:?}"
    );
    let flushed = client
        .get(format!("{}/internal/force_flush", server.url))
        .send()
        .await
        .expect("flush reaches victoria-metrics");
    assert!(flushed.status().is_success(), "flush refused");
    Some(server)
}

/// OpenMetrics sample lines (`name{labels} value seconds`) as Prometheus text
/// (`… milliseconds`), comments and `# EOF` dropped.
fn prometheus_text(om: &str) -> String {
    let mut out = String::with_capacity(om.len() + om.len() / 8);
    for line in om.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        match line.rsplit_once(' ') {
            Some((head, seconds)) => {
                let ms = seconds.parse::<f64>().map_or(0, |s| (s * 1000.0) as i64);
                out.push_str(&format!("{head} {ms}\n"));
            }
            None => out.push_str(line),
        }
    }
    out
}
