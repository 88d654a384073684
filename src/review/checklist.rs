//! The standard post-release review checklist (the default template).

/// One check of a post-release review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckItem {
    pub title: &'static str,
    /// What to look at to tick it.
    pub hint: &'static str,
}

/// The default template, in review order.
pub const ITEMS: &[CheckItem] = &[
    CheckItem {
        title: "Deployment finished on every target",
        hint: "status, stages, canary result",
    },
    CheckItem {
        title: "Error ratio back at baseline",
        hint: "golden signals after the marker",
    },
    CheckItem {
        title: "p99 latency within SLO",
        hint: "golden signals, latency chart",
    },
    CheckItem {
        title: "Error budget impact acceptable",
        hint: "budget consumed by this deployment",
    },
    CheckItem {
        title: "No burn-rate alert firing",
        hint: "error budget pane",
    },
    CheckItem {
        title: "Linked incidents reviewed",
        hint: "deployment detail, incidents",
    },
    CheckItem {
        title: "Rollback plan still valid",
        hint: "previous version deployable",
    },
    CheckItem {
        title: "Risk flags explained",
        hint: "weekend, freeze, large batch, manual",
    },
    CheckItem {
        title: "Action items filed",
        hint: "written to the tracker exactly once",
    },
];
