//! YAML read into a small tree whose every node knows its line and column, so a mistake
//! in a Sloth or OpenSLO file can be named by file, line and field (serde would lose
//! the place of a value that parsed but is wrong). Built on `saphyr-parser`'s events.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Nodes one file may expand to: an alias copies its anchor's node, so a few lines of
/// nested aliases ("billion laughs") could otherwise ask for gigabytes.
const MAX_NODES: usize = 200_000;

/// Deepest nesting read: SLO files are a few levels deep, and the tree is dropped and
/// copied recursively, so a hostile file must not nest thousands of levels.
const MAX_DEPTH: usize = 64;

/// One YAML node and where it starts (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar as written; `plain` is false when it was quoted or a block (so `"1"`
    /// stays a string and `null` means null only unquoted).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Keys in file order (a duplicate key is a parse error).
    Map(Vec<(Node, Node)>),
}

/// A syntax error at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Node {
    /// True for a missing value: `~`, `null`, or nothing after the key.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if text.is_empty() || text == "~" || text.eq_ignore_ascii_case("null"))
    }

    /// The value of `key` in a mapping (`None` for other nodes), looking through YAML
    /// merge keys (`<<: *defaults`, or a list of them) when the mapping lacks it, as
    /// Kubernetes manifests and Sloth's own YAML reader do.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let Value::Map(entries) = &self.value else {
            return None;
        };
        let named = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == name))
                .map(|(_, v)| v)
        };
        named(key).or_else(|| match named("<<").map(|m| &m.value) {
            Some(Value::Map(_)) => named("<<").and_then(|m| m.get(key)),
            Some(Value::Seq(maps)) => maps.iter().find_map(|m| m.get(key)),
            _ => None,
        })
    }

    /// The scalar's text, or `None` for a sequence or mapping.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// What kind of node this is, for "expected a string, found a mapping".
    pub fn kind(&self) -> &'static str {
        match &self.value {
            _ if self.is_null() => "nothing",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }
}

/// Every document of a (possibly multi-document, `---`-separated) YAML text; an empty
/// document is left out.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        builder.on(event, span)?;
    }
    Ok(builder.documents)
}

/// A collection being read, with where it started and its anchor.
enum Frame {
    Seq(Vec<Node>, Span, usize),
    Map(Vec<(Node, Node)>, Option<Node>, Span, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
    nodes: usize,
}

fn at(span: Span) -> (usize, usize) {
    (span.start.line(), span.start.col() + 1)
}

impl Builder {
    fn on(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let (line, col) = at(span);
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                    line,
                    col,
                };
                self.complete(node, anchor)
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    line: span.start.line(),
                    col: span.start.col() + 1,
                    message: "an alias (*name) to an anchor that is not defined before it".into(),
                })?;
                self.nodes += node.size();
                self.complete(node, 0)
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq(Vec::new(), span, anchor));
                Ok(())
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map(Vec::new(), None, span, anchor));
                Ok(())
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq(items, start, anchor)) => {
                    let (line, col) = at(start);
                    let node = Node {
                        value: Value::Seq(items),
                        line,
                        col,
                    };
                    self.complete(node, anchor)
                }
                _ => Err(unbalanced(span)),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map(entries, None, start, anchor)) => {
                    let (line, col) = at(start);
                    let node = Node {
                        value: Value::Map(entries),
                        line,
                        col,
                    };
                    self.complete(node, anchor)
                }
                _ => Err(unbalanced(span)),
            },
            _ => Ok(()),
        }
    }

    /// Refuses a collection nested deeper than [`MAX_DEPTH`].
    fn open(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            let (line, col) = at(span);
            return Err(YamlError {
                line,
                col,
                message: format!("nested deeper than {MAX_DEPTH} levels"),
            });
        }
        Ok(())
    }

    /// Puts a finished node where it belongs: the open collection, or a new document.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                line: node.line,
                col: node.col,
                message: format!(
                    "more than {MAX_NODES} values (after expanding aliases); \
                     split the file or use fewer aliases"
                ),
            });
        }
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if !node.is_null() {
                    self.documents.push(node);
                }
            }
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
                None => {
                    if let Some(name) = node.scalar() {
                        if let Some((first, _)) =
                            entries.iter().find(|(k, _)| k.scalar() == Some(name))
                        {
                            return Err(YamlError {
                                line: node.line,
                                col: node.col,
                                message: format!(
                                    "a second `{name}` key in one mapping (the first is on line {})",
                                    first.line
                                ),
                            });
                        }
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

fn unbalanced(span: Span) -> YamlError {
    YamlError {
        line: span.start.line(),
        col: span.start.col() + 1,
        message: "unbalanced YAML structure".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_lines_across_documents() {
        let docs = parse("a: 1\nb:\n  - x\n  - \"y\"\n---\nc: ~\n").expect("valid");
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").expect("b");
        assert_eq!((b.line, b.col), (3, 3));
        let Value::Seq(items) = &b.value else {
            panic!("a list")
        };
        assert_eq!(items[1].line, 4);
        assert_eq!(
            items[1].value,
            Value::Scalar {
                text: "y".into(),
                plain: false
            }
        );
        assert!(docs[1].get("c").expect("c").is_null());
    }

    #[test]
    fn a_syntax_error_has_line_and_column() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").expect_err("unclosed flow list");
        assert!(e.line >= 2, "{e:?}");
    }

    #[test]
    fn a_duplicate_key_names_both_lines() {
        let e = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("line 1"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused_with_its_line() {
        let mut text = String::new();
        for depth in 0..100 {
            text.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
        }
        text.push_str(&format!("{}v\n", " ".repeat(100)));
        let e = parse(&text).expect_err("too deep");
        assert_eq!(e.line, 65, "{e:?}");
        assert!(e.message.contains("deeper than 64"), "{}", e.message);
    }

    #[test]
    fn merge_keys_supply_what_a_mapping_lacks() {
        let docs =
            parse("base: &b {objective: 99, name: x}\nslo:\n  <<: *b\n  name: y\n").expect("valid");
        let slo = docs[0].get("slo").expect("slo");
        assert_eq!(slo.get("objective").and_then(Node::scalar), Some("99"));
        assert_eq!(
            slo.get("name").and_then(Node::scalar),
            Some("y"),
            "its own key wins"
        );
        assert_eq!(slo.get("nosuch"), None);
    }

    #[test]
    fn aliases_copy_and_are_bounded() {
        let docs = parse("x: &v {k: 1}\ny: *v\n").expect("valid");
        assert_eq!(
            docs[0]
                .get("y")
                .and_then(|y| y.get("k"))
                .and_then(Node::scalar),
            Some("1")
        );
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            let name = ["b", "c", "d", "e", "f", "g"][i];
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = parse(&bomb).expect_err("a billion laughs is refused");
        assert!(e.message.contains("aliases"), "{}", e.message);
    }
}
