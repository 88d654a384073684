//! One line of what `doctor` found about a source: what was checked and how it went.
//! Every source's probe answers in these, so `doctor` prints them all one way.

use crate::event::SourceError;
use crate::model::outside::OutsideText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(OutsideText),
    Warn(OutsideText),
    Fail(SourceError),
    /// A heading inside the source's section (`service checkout (services[0])`).
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub what: String,
    pub outcome: Outcome,
}

impl Check {
    pub fn ok(what: impl Into<String>, detail: impl AsRef<str>) -> Self {
        Check {
            what: what.into(),
            outcome: Outcome::Ok(OutsideText::line(detail.as_ref())),
        }
    }

    pub fn warn(what: impl Into<String>, detail: impl AsRef<str>) -> Self {
        Check {
            what: what.into(),
            outcome: Outcome::Warn(OutsideText::line(detail.as_ref())),
        }
    }

    pub fn fail(what: impl Into<String>, error: SourceError) -> Self {
        Check {
            what: what.into(),
            outcome: Outcome::Fail(error),
        }
    }

    pub fn note(heading: impl Into<String>) -> Self {
        Check {
            what: heading.into(),
            outcome: Outcome::Note,
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self.outcome, Outcome::Fail(_))
    }
}
