//! Atlassian Document Format, as typed values: what Jira Cloud takes for a
//! description or a comment body (API-NOTES §4.2). Built from these types and
//! serialized by serde, never pasted together as text, so no user string can break
//! out of its text node.

use serde::Serialize;

/// An ADF document: `{"type":"doc","version":1,"content":[…]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    #[serde(rename = "type")]
    kind: DocKind,
    version: u8,
    content: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
enum DocKind {
    Doc,
}

/// Top-level and list-item content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Block {
    Paragraph { content: Vec<Inline> },
    BulletList { content: Vec<ListItem> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ListItem {
    ListItem { content: Vec<Block> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Inline {
    Text {
        text: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        marks: Vec<Mark>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Mark {
    Strong,
    Link { attrs: LinkAttrs },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkAttrs {
    pub href: String,
}

impl Doc {
    pub fn new(content: Vec<Block>) -> Self {
        Doc {
            kind: DocKind::Doc,
            version: 1,
            content,
        }
    }

    /// One paragraph of plain text (a comment).
    pub fn text(text: &str) -> Self {
        Doc::new(vec![Block::paragraph(vec![Inline::plain(text)])])
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an ADF document always serializes")
    }
}

impl Block {
    /// A paragraph; ADF refuses empty text nodes, so those are left out.
    pub fn paragraph(content: Vec<Inline>) -> Self {
        Block::Paragraph {
            content: content.into_iter().filter(|i| !i.is_empty()).collect(),
        }
    }

    pub fn bullets(items: Vec<Vec<Inline>>) -> Self {
        Block::BulletList {
            content: items
                .into_iter()
                .map(|inline| ListItem::ListItem {
                    content: vec![Block::paragraph(inline)],
                })
                .collect(),
        }
    }
}

impl Inline {
    pub fn plain(text: &str) -> Self {
        Inline::Text {
            text: text.to_string(),
            marks: Vec::new(),
        }
    }

    pub fn strong(text: &str) -> Self {
        Inline::Text {
            text: text.to_string(),
            marks: vec![Mark::Strong],
        }
    }

    pub fn link(text: &str, href: &str) -> Self {
        Inline::Text {
            text: text.to_string(),
            marks: vec![Mark::Link {
                attrs: LinkAttrs {
                    href: href.to_string(),
                },
            }],
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Inline::Text { text, .. } => text.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_serializes_as_adf_and_quotes_cannot_escape_a_text_node() {
        let doc = Doc::new(vec![
            Block::paragraph(vec![
                Inline::strong("Owner: "),
                Inline::plain("\"}]},{\"type\":\"x"),
                Inline::plain(""),
            ]),
            Block::bullets(vec![vec![Inline::link("deploy 41", "https://ci/41")]]),
        ]);
        assert_eq!(
            doc.to_value(),
            json!({"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [
                    {"type": "text", "text": "Owner: ", "marks": [{"type": "strong"}]},
                    {"type": "text", "text": "\"}]},{\"type\":\"x"}
                ]},
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [
                        {"type": "paragraph", "content": [
                            {"type": "text", "text": "deploy 41",
                             "marks": [{"type": "link", "attrs": {"href": "https://ci/41"}}]}
                        ]}
                    ]}
                ]}
            ]})
        );
    }
}
