//! Why the DORA figures are not shown, when they are not: a pure function of what the
//! cockpit was started with and what it holds, so every place that says it (tiles,
//! zoomed pane, compact line, report) says the same.

use super::model::{Feeds, SourceStatus, NO_DEPLOYMENTS_YET, NO_DEPLOYMENT_SOURCE};

/// Source ids that list deployments when configured (GitLab, Jenkins). A source is
/// also one once it has delivered deployments (the cache, the demo).
pub const DEPLOYMENT_SOURCE_IDS: &[&str] = &["gitlab", "jenkins"];

/// `None` when there are deployments to count (or on the demo). Otherwise the honest
/// reason: a configured deployment source that has listed none yet is "no
/// deployments yet", never "no deployment source".
pub fn dora_unavailable(
    demo: bool,
    has_deployments: bool,
    sources: &[SourceStatus],
) -> Option<&'static str> {
    if demo || has_deployments {
        return None;
    }
    let lists_deployments = sources.iter().any(|s| {
        DEPLOYMENT_SOURCE_IDS.contains(&s.id.as_str()) || s.feeds.intersects(Feeds::DEPLOYMENTS)
    });
    Some(if lists_deployments {
        NO_DEPLOYMENTS_YET
    } else {
        NO_DEPLOYMENT_SOURCE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str) -> SourceStatus {
        SourceStatus::new(id, Some(chrono::Duration::seconds(30)))
    }

    #[test]
    fn the_reason_names_what_is_missing() {
        let prom = status("prometheus");
        // Nothing lists deployments: no source of them.
        assert_eq!(
            dora_unavailable(false, false, std::slice::from_ref(&prom)),
            Some(NO_DEPLOYMENT_SOURCE)
        );
        assert_eq!(
            dora_unavailable(false, false, &[]),
            Some(NO_DEPLOYMENT_SOURCE)
        );
        // Each deployment source, configured but with nothing listed yet.
        for id in DEPLOYMENT_SOURCE_IDS {
            let sources = [prom.clone(), status(id)];
            assert_eq!(
                dora_unavailable(false, false, &sources),
                Some(NO_DEPLOYMENTS_YET),
                "{id}"
            );
            // With deployments, or on the demo: figures.
            assert_eq!(dora_unavailable(false, true, &sources), None, "{id}");
            assert_eq!(dora_unavailable(true, false, &sources), None, "{id}");
        }
        // Any source that has delivered deployments (even none) lists them.
        let mut cache = status("cache");
        cache.feeds = Feeds::DEPLOYMENTS;
        assert_eq!(
            dora_unavailable(false, false, &[prom, cache]),
            Some(NO_DEPLOYMENTS_YET)
        );
    }
}
