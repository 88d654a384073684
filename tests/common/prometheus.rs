//! A real Prometheus (Debian's 2.42) on a free loopback port, backfilled by promtool
//! from OpenMetrics text; stopped and its directory removed when dropped. Without
//! `prometheus`/`promtool` the caller fails, unless skipping is allowed (then the skip
//! is reported, see [`super::report_skip`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

pub struct Prometheus {
    pub child: Child,
    pub dir: PathBuf,
    pub url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(tool))
        .find(|p| p.is_file())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Backfills `om` and starts Prometheus on it; `None` only when skipping is allowed.
pub async fn start_prometheus(name: &str, om: &str) -> Option<Prometheus> {
    let (Some(prometheus), Some(promtool)) = (which("prometheus"), which("promtool")) else {
        if std::env::var("FLIGHTDECK_SKIP_PROMETHEUS").as_deref() == Ok("1") {
            super::report_skip(
                &format!("{} ({name})", env!("CARGO_CRATE_NAME")),
                "prometheus/promtool not installed and FLIGHTDECK_SKIP_PROMETHEUS=1",
            );
            return None;
        }
        panic!(
            "prometheus and promtool are needed for this test: run scripts/install-test-deps \
             (Debian: apt-get install prometheus), or set FLIGHTDECK_SKIP_PROMETHEUS=1 to skip it"
        );
    };
    let dir = std::env::temp_dir().join(format!(
        "fd-prom-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("temp dir");
    std::fs::write(dir.join("history.om"), om).expect("write openmetrics");
    std::fs::write(dir.join("prometheus.yml"), "scrape_configs: []\n").expect("write config");
    let status = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics", "--quiet"])
        .arg(dir.join("history.om"))
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .status()
        .expect("promtool runs");
    assert!(status.success(), "promtool could not backfill the history");
    let port = free_port();
    let child = Command::new(&prometheus)
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg("--storage.tsdb.retention.time=60d")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts");
    let server = Prometheus {
        child,
        dir,
        url: format!("http://127.0.0.1:{port}"),
    };
    wait_ready(&format!("{}/-/ready", server.url), "prometheus").await;
    Some(server)
}

/// Polls `url` until it answers 2xx, failing the test after 60 s.
pub async fn wait_ready(url: &str, what: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + StdDuration::from_secs(60);
    loop {
        let ready = client.get(url).send().await;
        if matches!(ready, Ok(ref r) if r.status().is_success()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not become ready within 60 s"
        );
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
}
