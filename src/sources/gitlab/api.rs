//! GitLab REST v4 answers, shaped as the API documents them (API-NOTES §2). Every
//! string is [`OutsideText`] (made safe as it is parsed) and every field is optional:
//! a record that lacks what the model needs is rejected with a reason by `map`, not
//! lost with its whole page.

use serde::{Deserialize, Deserializer};

use crate::model::outside::{OutsideText, LONG_CHARS};

/// A URL from outside: [`OutsideText`] with a URL's longer bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideUrl(pub OutsideText);

impl<'de> Deserialize<'de> for OutsideUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(OutsideUrl(OutsideText::with_limit(&raw, LONG_CHARS)))
    }
}

/// `GET /projects/:id/deployments` item (`API::Entities::Deployment`). There is no
/// top-level `finished_at`: the finish is `deployable.finished_at`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiDeployment {
    pub id: Option<u64>,
    pub iid: Option<u64>,
    #[serde(rename = "ref")]
    pub git_ref: Option<OutsideText>,
    pub sha: Option<OutsideText>,
    pub created_at: Option<OutsideText>,
    pub updated_at: Option<OutsideText>,
    pub status: Option<OutsideText>,
    pub user: Option<ApiUser>,
    pub environment: Option<ApiEnvironment>,
    /// The CI job; `null` for deployments created through the API.
    pub deployable: Option<ApiJob>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiUser {
    pub id: Option<u64>,
    pub username: Option<OutsideText>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiEnvironment {
    pub id: Option<u64>,
    pub name: Option<OutsideText>,
}

/// A CI job (a deployment's `deployable`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiJob {
    pub id: Option<u64>,
    pub status: Option<OutsideText>,
    pub stage: Option<OutsideText>,
    pub name: Option<OutsideText>,
    pub tag: Option<bool>,
    /// A failed job that may fail does not fail its stage.
    pub allow_failure: Option<bool>,
    pub created_at: Option<OutsideText>,
    pub started_at: Option<OutsideText>,
    pub finished_at: Option<OutsideText>,
    pub web_url: Option<OutsideUrl>,
    pub pipeline: Option<ApiPipeline>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiPipeline {
    pub id: Option<u64>,
    pub web_url: Option<OutsideUrl>,
}

/// A commit as the compare and commits APIs give it (`API::Entities::Commit`).
/// `created_at` is the committed date.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiCommit {
    pub id: Option<OutsideText>,
    pub title: Option<OutsideText>,
    pub author_name: Option<OutsideText>,
    pub authored_date: Option<OutsideText>,
    pub committed_date: Option<OutsideText>,
    pub created_at: Option<OutsideText>,
}

/// `GET /projects/:id/repository/compare`: not paginated.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiCompare {
    pub commit: Option<ApiCommit>,
    pub commits: Vec<ApiCommit>,
    pub compare_timeout: Option<bool>,
    pub compare_same_ref: Option<bool>,
}

/// `GET /projects/:id` (what `doctor` needs of it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiProject {
    pub id: Option<u64>,
    pub path_with_namespace: Option<OutsideText>,
}

/// `GET /projects/:id/issues?issue_type=incident` item (API-NOTES §2.8).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiIssue {
    pub id: Option<u64>,
    pub iid: Option<u64>,
    pub title: Option<OutsideText>,
    pub state: Option<OutsideText>,
    pub labels: Vec<OutsideText>,
    /// `UNKNOWN`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL` (incidents only).
    pub severity: Option<OutsideText>,
    pub created_at: Option<OutsideText>,
    pub updated_at: Option<OutsideText>,
    pub closed_at: Option<OutsideText>,
    pub references: Option<ApiReferences>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiReferences {
    pub full: Option<OutsideText>,
}

/// `GET /projects/:id/merge_requests?state=merged` item (API-NOTES §2.7).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApiMergeRequest {
    pub iid: Option<u64>,
    pub merged_at: Option<OutsideText>,
    pub updated_at: Option<OutsideText>,
    /// The head of the source branch.
    pub sha: Option<OutsideText>,
    pub merge_commit_sha: Option<OutsideText>,
    pub squash_commit_sha: Option<OutsideText>,
}
