//! [`Field`]: a YAML node with the dotted path that led to it (`slos[1].objective`), so
//! each reader asks for what it needs and a mistake comes back as a [`Problem`] naming
//! the line, column and field.

use super::yaml::{Node, Value};

/// A mistake at a place in a YAML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    /// The dotted field path, e.g. `spec.slos[1].objective`.
    pub field: String,
    pub message: String,
}

/// A node and the path to it.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub node: &'a Node,
    path: String,
}

impl<'a> Field<'a> {
    pub fn root(node: &'a Node) -> Self {
        Field {
            node,
            path: String::new(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn line(&self) -> usize {
        self.node.line
    }

    /// The path of `key` under this node.
    fn join(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value of `key` when present and not null.
    pub fn get(&self, key: &str) -> Option<Field<'a>> {
        let node = self.node.get(key).filter(|n| !n.is_null())?;
        Some(Field {
            node,
            path: self.join(key),
        })
    }

    /// The value of `key`, or a problem saying it is missing and what it should be.
    pub fn require(&self, key: &str, expected: &str) -> Result<Field<'a>, Problem> {
        self.get(key).ok_or_else(|| self.missing(key, expected))
    }

    /// A problem at this node.
    pub fn problem(&self, message: impl Into<String>) -> Problem {
        Problem {
            line: self.node.line,
            col: self.node.col,
            field: self.path.clone(),
            message: message.into(),
        }
    }

    /// A problem about `key`, missing from this mapping (located at the mapping).
    pub fn missing(&self, key: &str, expected: &str) -> Problem {
        Problem {
            line: self.node.line,
            col: self.node.col,
            field: self.join(key),
            message: format!("missing; expected {expected}"),
        }
    }

    /// Non-empty text: a scalar (a number or word reads as its text).
    pub fn text(&self) -> Result<&'a str, Problem> {
        match &self.node.value {
            Value::Scalar { text, .. } if !self.node.is_null() && !text.trim().is_empty() => {
                Ok(text)
            }
            _ => Err(self.problem(format!("expected text, found {}", self.node.kind()))),
        }
    }

    /// A number (`99.9`).
    pub fn number(&self) -> Result<f64, Problem> {
        let text = self.node.scalar().filter(|_| !self.node.is_null());
        match text.and_then(|t| t.trim().parse::<f64>().ok()) {
            Some(n) if n.is_finite() => Ok(n),
            _ => Err(self.problem(match text {
                Some(t) => format!("expected a number, found {t:?}"),
                None => format!("expected a number, found {}", self.node.kind()),
            })),
        }
    }

    /// `true` or `false`.
    pub fn boolean(&self) -> Result<bool, Problem> {
        match self.node.scalar() {
            Some("true" | "True" | "TRUE") => Ok(true),
            Some("false" | "False" | "FALSE") => Ok(false),
            _ => Err(self.problem(format!(
                "expected true or false, found {}",
                self.node
                    .scalar()
                    .map_or(self.node.kind().to_string(), |t| format!("{t:?}"))
            ))),
        }
    }

    /// The items of a list, each with its `[i]` path.
    pub fn items(&self) -> Result<Vec<Field<'a>>, Problem> {
        match &self.node.value {
            Value::Seq(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, node)| Field {
                    node,
                    path: format!("{}[{i}]", self.path),
                })
                .collect()),
            _ => Err(self.problem(format!("expected a list, found {}", self.node.kind()))),
        }
    }

    /// True for a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.node.value, Value::Map(_))
    }
}
