//! The review's summary as it goes to the release ticket: typed values built from the
//! stored session and its outbox items (with their tracker keys), each text one safe,
//! bounded line. The tracker renders it (ADF, wiki markup, markdown).

use crate::model::outside::OutsideText;
use crate::review::checks::Verdict;
use crate::review::outbox::state::Phase;
use crate::review::session::{ReviewSession, ReviewTarget};
use crate::review::tracker::Summary;
use crate::store::review::OutboxRow;

/// What the summary comment carries, looked for after an ambiguous failure.
pub fn marker(review_id: &str) -> String {
    format!("flightdeck-summary-{}", line(review_id))
}

/// The version a review is about (what `{version}` stands for in the ticket query).
pub fn version(session: &ReviewSession) -> String {
    match &session.target {
        ReviewTarget::Deployment { version, .. } | ReviewTarget::Release { version, .. } => {
            line(version)
        }
    }
}

pub fn build(session: &ReviewSession, items: &[OutboxRow]) -> Summary {
    let (mut passed, mut failing, mut open) = (0, 0, 0);
    for c in &session.checks {
        match c.auto.as_ref().map(|e| e.verdict) {
            Some(Verdict::Pass) => passed += 1,
            Some(Verdict::Fail) => failing += 1,
            Some(Verdict::Unknown) => open += 1,
            None if c.checked => passed += 1,
            None => open += 1,
        }
    }
    let mut links: Vec<String> = Vec::new();
    let items = items
        .iter()
        .filter(|r| r.review_id == session.id)
        .map(|r| {
            let i = &r.item;
            if let Some(l) = i.link.as_deref().map(line).filter(|l| is_web_link(l)) {
                if !links.contains(&l) {
                    links.push(l);
                }
            }
            let mut about = Vec::new();
            if let Some(o) = &i.owner {
                about.push(format!("owner {}", line(o)));
            }
            if let Some(d) = &i.due {
                about.push(format!("due {}", line(d)));
            }
            let what = match about.is_empty() {
                true => line(&i.summary),
                false => format!("{} ({})", line(&i.summary), about.join(", ")),
            };
            let state = match &r.delivery.phase {
                Phase::Sent { key } => line(key),
                other => line(&other.describe()),
            };
            (what, state)
        })
        .collect();
    Summary {
        marker: marker(&session.id),
        title: line(&session.target.title()),
        decision: session.decision.as_deref().map(line),
        passed,
        failing,
        open,
        findings: session
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.category.word(), line(&f.text)))
            .collect(),
        items,
        links,
    }
}

/// The summary's lines in plain words, shared by every markup: a heading line, then
/// one line per fact (the renderers add emphasis and lists around them).
pub fn checklist_line(s: &Summary) -> String {
    format!(
        "Checklist: {} passed, {} failing, {} open",
        s.passed, s.failing, s.open
    )
}

fn line(s: &str) -> String {
    OutsideText::line(s).into_string()
}

/// Only http(s) links become links.
pub fn is_web_link(link: &str) -> bool {
    let l = link.trim().to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")) && !link.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::outbox::state::Delivery;
    use crate::review::session::{ActionItem, Category, CheckState, Finding};

    #[test]
    fn the_summary_counts_checks_and_lists_items_with_their_keys_and_safe_text() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let check = |id: &str, checked: bool| CheckState {
            id: id.into(),
            title: id.into(),
            auto: None,
            checked,
            note: None,
        };
        let session = ReviewSession {
            id: "r1".into(),
            target: ReviewTarget::Release {
                version: "2.4.1".into(),
                deployments: vec!["d1".into()],
            },
            template: "detailed".into(),
            started_at: at,
            checks: vec![check("a", true), check("b", false)],
            findings: vec![Finding {
                category: Category::TestGap,
                text: "no load test\u{1b}[2J".into(),
            }],
            actions: Vec::new(),
            decision: Some("release accepted".into()),
        };
        let row = |n: &str, phase: Phase, review: &str| OutboxRow {
            review_id: review.into(),
            review_title: "t".into(),
            item: ActionItem {
                uuid: n.into(),
                summary: format!("item {n}"),
                owner: Some("alice".into()),
                due: None,
                success_criteria: String::new(),
                category: Category::Capacity,
                link: Some("https://ci.example/d/1".into()),
            },
            delivery: Delivery {
                phase,
                ..Delivery::new(at)
            },
        };
        let rows = [
            row(
                "u1",
                Phase::Sent {
                    key: "OPS-7".into(),
                },
                "r1",
            ),
            row("u2", Phase::Pending, "r1"),
            row("u3", Phase::Pending, "other review"),
        ];
        let s = build(&session, &rows);
        assert_eq!(s.marker, "flightdeck-summary-r1");
        assert_eq!((s.passed, s.failing, s.open), (1, 0, 1));
        assert_eq!(
            s.items,
            vec![
                ("item u1 (owner alice)".to_string(), "OPS-7".to_string()),
                ("item u2 (owner alice)".to_string(), "pending".to_string()),
            ]
        );
        assert_eq!(s.links, vec!["https://ci.example/d/1".to_string()]);
        assert!(!s.findings[0].contains('\u{1b}'), "{:?}", s.findings);
        assert_eq!(version(&session), "2.4.1");
    }
}
