//! A long first sync says how far it got: records and pages read so far, sent as
//! [`SourceEventKind::Progress`] events with the data of the pages read since the last
//! one, so what is fetched is shown (and cached) at once, not only at the end.

use chrono::Utc;

use super::EventTx;
use crate::event::{Event, SourceData, SourceEvent, SourceEventKind};

/// Where a source reports its progress, and the counts of the fetch under way.
#[derive(Clone)]
pub struct ProgressSink {
    source: String,
    events: EventTx,
}

/// The counts of one fetch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub records: u64,
    pub pages: u64,
}

impl ProgressSink {
    pub fn new(source: impl Into<String>, events: EventTx) -> Self {
        ProgressSink {
            source: source.into(),
            events,
        }
    }

    /// Sends the counts so far and `data`. Awaited, so it reaches the app before the
    /// fetch's own result (one channel, in order): a page's records can never land
    /// after the final answer that updates them. A closed channel (shutdown) is not
    /// an error here; the fetch ends by itself.
    pub async fn send(&self, counts: Counts, data: Vec<SourceData>) {
        let event = Event::Source(SourceEvent {
            source: self.source.clone(),
            kind: SourceEventKind::Progress {
                at: Utc::now(),
                records: counts.records,
                pages: counts.pages,
                data,
            },
        });
        let _ = self.events.send(event).await;
    }
}

/// "syncing 1,200 rec/12 pg" for the header (plain ASCII: any terminal shows it).
pub fn short(records: u64, pages: u64) -> String {
    format!("syncing {} rec/{} pg", thousands(records), thousands(pages))
}

/// "gitlab: syncing, 1,200 records in 12 pages so far" for stderr.
pub fn line(source: &str, records: u64, pages: u64) -> String {
    format!(
        "{source}: syncing, {} records in {} pages so far",
        thousands(records),
        thousands(pages)
    )
}

/// 20000 → "20,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(short(1200, 12), "syncing 1,200 rec/12 pg");
    }
}
