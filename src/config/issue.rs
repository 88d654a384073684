//! Config problems: [`ConfigIssue`] is what a section's validator reports (a key and
//! what is wrong); [`ConfigError`] is what the user sees (file, line, key, expected);
//! [`ConfigErrors`] is all of them at once, so one run shows every mistake.

use std::fmt;
use std::path::PathBuf;

/// A semantic problem found by a section validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted key path, e.g. `services[1].slo.target`.
    pub key: String,
    /// What was expected, e.g. "a number between 0 and 1 (exclusive), like 0.999".
    pub expected: String,
    /// What was found, when useful (never a secret).
    pub found: Option<String>,
}

impl ConfigIssue {
    /// An issue when `value` lies outside `range` (`expected` says what is wanted).
    pub fn out_of_range<T: PartialOrd + ToString>(
        key: String,
        value: T,
        range: std::ops::RangeInclusive<T>,
        expected: &str,
    ) -> Option<Self> {
        (!range.contains(&value)).then(|| ConfigIssue::new(key, expected).found(value.to_string()))
    }

    pub fn new(key: impl Into<String>, expected: impl Into<String>) -> Self {
        ConfigIssue {
            key: key.into(),
            expected: expected.into(),
            found: None,
        }
    }
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }
}

/// A config error located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; `None` when the problem has no place in the file (e.g. unreadable).
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in a config file, in file order of the checks (never empty).
/// A syntax or type error stops parsing, so it comes alone; validation reports all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(Vec<ConfigError>);

impl ConfigErrors {
    /// `None` when `errors` is empty (nothing is wrong).
    pub fn new(errors: Vec<ConfigError>) -> Option<Self> {
        (!errors.is_empty()).then_some(ConfigErrors(errors))
    }

    pub fn first(&self) -> &ConfigError {
        &self.0[0]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.0.iter()
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(e: ConfigError) -> Self {
        ConfigErrors(vec![e])
    }
}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One error per line.
impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
