//! Finding, reading, parsing and validating the config file, with errors that name the
//! file, line, key and what was expected.

use std::path::{Path, PathBuf};

use super::{Config, ConfigError, ConfigErrors, ConfigIssue};

/// Where the config came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    File(PathBuf),
    /// No file exists: the embedded demo runs.
    None,
}

/// The platform config path (`~/.config/flightdeck/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "flightdeck").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the config: an explicit path must exist; the default path may be missing, in
/// which case `Ok((Config::default(), ConfigSource::None))` is returned.
pub fn load(explicit: Option<&Path>) -> Result<(Config, ConfigSource), ConfigErrors> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Ok((Config::default(), ConfigSource::None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok((Config::default(), ConfigSource::None));
        }
        Err(e) => {
            return Err(ConfigError {
                file: path,
                line: None,
                column: None,
                key: None,
                message: format!("cannot read the config file: {e}"),
            }
            .into())
        }
    };
    let mut config = load_str(&text, &path)?;
    read_slo_files(&mut config, &text, &path)?;
    Ok((config, ConfigSource::File(path)))
}

/// Adds the services of `[[slo_files]]` (paths relative to the config file's
/// directory) to `config`, keeping what was read and left out for `doctor`. A mistake
/// in the config's keys is located in `text`; one in an SLO file, in that file.
pub fn read_slo_files(config: &mut Config, text: &str, path: &Path) -> Result<(), ConfigErrors> {
    if config.slo_files.is_empty() {
        return Ok(());
    }
    let base = path.parent().unwrap_or(Path::new("."));
    match super::slo_files::read(&config.slo_files, base, &config.services) {
        Ok((services, read)) => {
            config.services.extend(services);
            config.slo_files_read = read;
            Ok(())
        }
        Err(e) => {
            let mut errors: Vec<ConfigError> = e
                .config
                .into_iter()
                .map(|issue| from_issue(issue, text, path))
                .collect();
            errors.extend(e.files);
            match ConfigErrors::new(errors) {
                Some(errors) => Err(errors),
                None => Ok(()),
            }
        }
    }
}

/// Parses and validates config text; `path` is only used in errors. A syntax or type
/// error is reported alone (parsing stops there); every validation problem is
/// reported, each located by file, line and key.
pub fn load_str(text: &str, path: &Path) -> Result<Config, ConfigErrors> {
    let de = toml::Deserializer::parse(text).map_err(|e| from_toml(e, text, path, None))?;
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let key = (key != ".").then_some(key);
        from_toml(e.into_inner(), text, path, key)
    })?;
    let errors = config
        .validate()
        .into_iter()
        .map(|issue| from_issue(issue, text, path))
        .collect();
    match ConfigErrors::new(errors) {
        Some(errors) => Err(errors),
        None => Ok(config),
    }
}

/// Parses one TOML file of any shape (a review template file), with a syntax or type
/// error located by file, line and key, as the config's own are.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ConfigError> {
    let de = toml::Deserializer::parse(text).map_err(|e| from_toml(e, text, path, None))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let key = (key != ".").then_some(key);
        from_toml(e.into_inner(), text, path, key)
    })
}

fn from_toml(e: toml::de::Error, text: &str, path: &Path, key: Option<String>) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ConfigError {
        file: path.to_path_buf(),
        line,
        column,
        key,
        message: humanize(e.message().trim()),
    }
}

/// Serde speaks Rust types; a config author reads "a whole number".
fn humanize(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, plain) in [
        ("expected u64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u16", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

fn from_issue(issue: ConfigIssue, text: &str, path: &Path) -> ConfigError {
    let (line, column) = match locate(text, &issue.key) {
        Some(offset) => {
            let (l, c) = line_col(text, offset);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = match &issue.found {
        Some(found) => format!("expected {}, found {}", issue.expected, found),
        None => format!("expected {}", issue.expected),
    };
    ConfigError {
        file: path.to_path_buf(),
        line,
        column,
        key: Some(issue.key),
        message,
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of the value of a dotted key path (`services[1].slo_target`) in the
/// text, or of the nearest enclosing table that exists.
fn locate(text: &str, key: &str) -> Option<usize> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut best = None;
    let segments: Vec<&str> = key.split('.').collect();
    for (n, seg) in segments.iter().enumerate() {
        let (name, index) = match seg.find('[') {
            Some(i) => (
                &seg[..i],
                seg[i + 1..].trim_end_matches(']').parse::<usize>().ok(),
            ),
            None => (*seg, None),
        };
        let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name)?;
        best = Some(k.span().start);
        let mut value = v;
        if let Some(i) = index {
            let toml::de::DeValue::Array(items) = value.get_ref() else {
                return best;
            };
            value = items.get(i)?;
            best = Some(value.span().start);
        }
        let last = n + 1 == segments.len();
        if last {
            return Some(value.span().start).or(best);
        }
        match value.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => return best,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str) -> ConfigErrors {
        load_str(text, Path::new("/etc/fd.toml")).expect_err("config should be rejected")
    }

    fn err(text: &str) -> ConfigError {
        errs(text).first().clone()
    }

    #[test]
    fn example_config_is_valid() {
        let text = include_str!("../../config.example.toml");
        if let Err(e) = load_str(text, Path::new("config.example.toml")) {
            panic!("config.example.toml must load: {e}");
        }
    }

    #[test]
    fn empty_config_is_default() {
        let c = load_str("", Path::new("x.toml")).expect("empty config is valid");
        assert_eq!(c.general.timezone, "UTC");
    }

    #[test]
    fn syntax_error_names_line() {
        let e = err("[general]\ntimezone = \"UTC\"\nrefresh_seconds = = 3\n");
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("/etc/fd.toml:3:"), "{e}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let e = err("[general]\nrefresh_seconds = \"often\"\n");
        assert_eq!(e.line, Some(2));
        assert_eq!(e.key.as_deref(), Some("general.refresh_seconds"));
        assert!(
            e.message.contains("expected a whole number"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let e = err("[general]\ntimezon = \"UTC\"\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("timezon"), "{}", e.message);
    }

    #[test]
    fn semantic_error_is_located() {
        let e = err(
            "[[services]]\nname = \"api\"\n\n[[services]]\nname = \"web\"\nslo_target = 99.9\n",
        );
        assert_eq!(e.key.as_deref(), Some("services[1].slo_target"));
        assert_eq!(e.line, Some(6));
        assert!(e.message.contains("between 0 and 1"), "{}", e.message);
        assert!(e.message.contains("99.9"), "{}", e.message);
    }

    #[test]
    fn every_mistake_is_reported_with_its_line_and_key() {
        let text = "\
[general]
timezone = \"Mars/Olympus\"
refresh_seconds = 0

[cache]
retention_days = 0

[[services]]
name = \"api\"
slo_target = 99.9

[[services]]
name = \"web\"
error_ratio_query = 'sum(rate(errors[5m]))'
";
        let e = errs(text);
        let found: Vec<(Option<usize>, Option<&str>)> =
            e.iter().map(|e| (e.line, e.key.as_deref())).collect();
        assert_eq!(
            found,
            [
                (Some(2), Some("general.timezone")),
                (Some(3), Some("general.refresh_seconds")),
                (Some(6), Some("cache.retention_days")),
                (Some(10), Some("services[0].slo_target")),
                (Some(14), Some("services[1].error_ratio_query")),
            ]
        );
        let shown = e.to_string();
        assert_eq!(shown.lines().count(), 5, "{shown}");
        for line in shown.lines() {
            assert!(line.starts_with("/etc/fd.toml:"), "{line}");
            assert!(line.contains("expected"), "{line}");
        }
        assert!(shown.contains("/etc/fd.toml:10:14: key `services[0].slo_target`: expected a fraction between 0 and 1"), "{shown}");
    }

    #[test]
    fn a_duplicate_service_name_names_its_line() {
        let e = errs("[[services]]\nname = \"api\"\n\n[[services]]\nname = \"web\"\n\n[[services]]\nname = \"api\"\n");
        assert_eq!(e.len(), 1, "{e}");
        let e = e.first();
        assert_eq!(e.key.as_deref(), Some("services[2].name"));
        assert_eq!(e.line, Some(8));
        assert!(e.message.contains("services[0]"), "{}", e.message);
    }

    #[test]
    fn a_gitlab_mistake_names_file_line_and_key() {
        let text = "[gitlab]\nurl = \"https://git.example.com/gitlab\"\ntoken_env = \"GITLAB_TOKEN\"\n\n[[gitlab.projects]]\nproject = \"group/app\"\nservice = \"\"\n";
        let e = err(text);
        assert_eq!(e.key.as_deref(), Some("gitlab.projects[0].service"));
        assert_eq!(e.line, Some(7));
        assert!(e.to_string().starts_with("/etc/fd.toml:7:"), "{e}");
        let e = err("[gitlab]\nurl = \"https://gitlab.com\"\nauth = \"oauth\"\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("private-token"), "{}", e.message);
    }

    #[test]
    fn bad_timezone_is_located() {
        let e = err("[general]\ntimezone = \"Mars/Olympus\"\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("IANA"), "{}", e.message);
    }
}
