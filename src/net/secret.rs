//! Secrets: tokens and passwords are read from an environment variable or printed by
//! a command (`pass show prom`), held in [`Secret`] (whose Debug and Display print
//! `***`), and never appear in an error message.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::{AuthKind, Config, PrometheusConfig};
use crate::event::{SourceError, SourceErrorKind};
use crate::model::outside::register_secret;
use crate::model::sanitize::sanitize_line;
use crate::net::Auth;

/// How long a `token_cmd` may run (a password manager may ask for a passphrase in
/// its own window; more than this means it is waiting for something that won't come).
pub const TOKEN_CMD_TIMEOUT: Duration = Duration::from_secs(30);

/// A credential. Only [`Secret::expose`] shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Every secret is registered for redaction as it is made, so no text from
    /// outside can show it (see [`crate::model::outside`]).
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        register_secret(&s);
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    Cmd(String),
}

impl SecretSource {
    pub fn from_parts(env: Option<&str>, cmd: Option<&str>) -> Option<Self> {
        match (env, cmd) {
            (Some(e), _) => Some(SecretSource::Env(e.to_string())),
            (None, Some(c)) => Some(SecretSource::Cmd(c.to_string())),
            (None, None) => None,
        }
    }

    /// Reads the secret. A command runs on a blocking thread, never on the caller's.
    pub async fn resolve(&self) -> Result<Secret, SourceError> {
        match self {
            SecretSource::Env(name) => from_env(name),
            SecretSource::Cmd(cmd) => {
                let cmd = cmd.clone();
                tokio::task::spawn_blocking(move || run_token_cmd(&cmd, TOKEN_CMD_TIMEOUT))
                    .await
                    .map_err(|_| config_error("token_cmd could not be run".to_string()))?
            }
        }
    }
}

fn config_error(message: String) -> SourceError {
    SourceError::new(SourceErrorKind::Config, message)
}

fn from_env(name: &str) -> Result<Secret, SourceError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
        Ok(_) => Err(config_error(format!(
            "the environment variable {name} is empty; export the token in it"
        ))),
        Err(_) => Err(config_error(format!(
            "the environment variable {name} is not set; export the token in it or use token_cmd"
        ))),
    }
}

/// Runs `sh -c cmd`, returns its trimmed standard output. Standard output is never
/// quoted in an error (it is the secret); the first line of standard error is.
pub fn run_token_cmd(cmd: &str, timeout: Duration) -> Result<Secret, SourceError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| config_error(format!("token_cmd could not start: {e}")))?;
    // Read the pipes on their own threads so a chatty command cannot block on a full pipe.
    let stdout = child.stdout.take().map(read_on_thread);
    let stderr = child.stderr.take().map(read_on_thread);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(config_error(format!(
                    "token_cmd did not finish within {} s; run it by hand to see what it waits for",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(config_error(format!("token_cmd failed: {e}"))),
        }
    };
    let out = stdout.and_then(|h| h.join().ok()).unwrap_or_default();
    let err = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    if !status.success() {
        let why = sanitize_line(String::from_utf8_lossy(&err).trim());
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| c.to_string());
        return Err(config_error(format!("token_cmd exited with {code}: {why}")));
    }
    let token = String::from_utf8(out)
        .map_err(|_| config_error("token_cmd printed something that is not text".to_string()))?;
    // `pass` prints the password on the first line and metadata after it.
    let token = token.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        return Err(config_error("token_cmd printed nothing".to_string()));
    }
    Ok(Secret::new(token))
}

fn read_on_thread<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.by_ref().take(1024 * 1024).read_to_end(&mut buf);
        buf
    })
}

/// The credentials of `[prometheus]`, resolved.
pub async fn prometheus_auth(config: &PrometheusConfig) -> Result<Auth, SourceError> {
    let source = SecretSource::from_parts(config.token_env.as_deref(), config.token_cmd.as_deref());
    match (config.auth, source) {
        (AuthKind::None, _) => Ok(Auth::None),
        (_, None) => Err(config_error(
            "auth is set but neither token_env nor token_cmd is".to_string(),
        )),
        (AuthKind::Bearer, Some(s)) => Ok(Auth::Bearer(s.resolve().await?)),
        (AuthKind::Basic, Some(s)) => Ok(Auth::Basic {
            username: config.username.clone().unwrap_or_default(),
            password: s.resolve().await?,
        }),
    }
}

/// A warning when the config file says how to obtain credentials and others may read
/// it. Tokens are never stored in the file itself (only variable names and commands),
/// but a `token_cmd` another user can read — or edit, if the directory allows — tells
/// them where the secret lives and how it is fetched.
pub fn credential_warning(path: &Path, config: &Config) -> Option<String> {
    let holds_credentials = config
        .prometheus
        .as_ref()
        .is_some_and(PrometheusConfig::has_credentials)
        || config
            .gitlab
            .as_ref()
            .is_some_and(crate::config::GitLabConfig::has_credentials)
        || config
            .jenkins
            .as_ref()
            .is_some_and(crate::config::JenkinsConfig::has_credentials)
        || config
            .jira
            .as_ref()
            .is_some_and(crate::config::JiraConfig::has_credentials);
    if !holds_credentials {
        return None;
    }
    mode_warning(path)
}

#[cfg(unix)]
fn mode_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} configures credentials and other users can access it (mode {:o}); run: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn mode_warning(_path: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        assert_eq!(format!("{:?}", Auth::Bearer(s.clone())), "Bearer(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn token_cmd_output_is_trimmed_to_first_line() {
        let s = run_token_cmd("printf '  tok3n \\nurl: x\\n'", Duration::from_secs(5))
            .expect("printf works");
        assert_eq!(s.expose(), "tok3n");
    }

    #[test]
    fn token_cmd_failure_quotes_stderr_not_stdout() {
        let e = run_token_cmd(
            "echo s3cret; echo 'not in store' >&2; exit 3",
            Duration::from_secs(5),
        )
        .expect_err("exit 3 fails");
        assert_eq!(e.kind, SourceErrorKind::Config);
        assert!(
            e.message.contains("exited with 3: not in store"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("s3cret"));
    }

    #[test]
    fn token_cmd_times_out() {
        let e = run_token_cmd("sleep 5", Duration::from_millis(200)).expect_err("too slow");
        assert!(e.message.contains("did not finish"), "{}", e.message);
    }

    #[test]
    fn missing_env_names_the_variable() {
        let e = from_env("FLIGHTDECK_TEST_SURELY_UNSET_VAR").expect_err("unset");
        assert!(e
            .message
            .contains("FLIGHTDECK_TEST_SURELY_UNSET_VAR is not set"));
    }

    #[cfg(unix)]
    #[test]
    fn readable_config_with_token_cmd_warns() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("fd-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("config.toml");
        std::fs::write(&path, "").expect("write");
        let mut config = Config::default();
        assert_eq!(credential_warning(&path, &config), None);
        config.prometheus = Some(PrometheusConfig {
            auth: AuthKind::Bearer,
            token_cmd: Some("pass show prom".into()),
            ..Default::default()
        });
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let w = credential_warning(&path, &config).expect("warns");
        assert!(w.contains("chmod 600"), "{w}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(credential_warning(&path, &config), None);
        // A [gitlab] token source counts as much as a [prometheus] one.
        config.prometheus = None;
        config.gitlab = Some(crate::config::GitLabConfig {
            token_env: Some("GITLAB_TOKEN".into()),
            ..Default::default()
        });
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        assert!(credential_warning(&path, &config).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
