//! GitLab incidents (issues with `issue_type=incident`, API-NOTES §2.8) → the
//! model's incidents, which feed recovery time and change failure rate (DESIGN §3).
//! Pure: a record without what the model needs is rejected with the reason.

use super::api::ApiIssue;
use super::map::{time, SOURCE_ID};
use crate::model::outside::OutsideText;
use crate::model::{Incident, Rejected};

/// The label prefix that names an incident's severity (`severity::high`).
pub const SEVERITY_LABEL: &str = "severity::";
/// The label prefix that links an incident to a deployment (`deploy::41`: GitLab's
/// deployment id).
pub const DEPLOY_LABEL: &str = "deploy::";

/// An incident issue mapped for `service`, or rejected with the reason.
/// `deployment_of` turns the GitLab deployment id of a `deploy::<id>` label into the
/// model's deployment id (a pipeline's records are one deployment).
pub fn incident(
    issue: &ApiIssue,
    project: &str,
    service: &str,
    deployment_of: impl Fn(u64) -> String,
) -> Result<Incident, Rejected> {
    let key = match (
        issue.references.as_ref().and_then(|r| non_empty(&r.full)),
        issue.iid,
    ) {
        (Some(full), _) => Some(full.to_string()),
        (None, Some(iid)) => Some(format!("{project}#{iid}")),
        (None, None) => None,
    };
    let reject = |reason: &str| Rejected {
        source: SOURCE_ID.to_string(),
        record: OutsideText::line(&format!(
            "{project} incident {}",
            key.as_deref()
                .map_or_else(|| "without iid".to_string(), str::to_string)
        ))
        .into_string(),
        reason: OutsideText::line(reason).into_string(),
    };
    let key = key.clone().ok_or_else(|| reject("no iid"))?;
    let created_at = time(&issue.created_at)
        .map_err(|e| reject(&format!("created_at {e}")))?
        .ok_or_else(|| reject("no created_at"))?;
    // A reopened incident has no closed_at: it is not resolved.
    let resolved_at = time(&issue.closed_at)
        .map_err(|e| reject(&format!("closed_at {e}")))?
        .filter(|_| issue.state.as_deref() != Some("opened"))
        .map(|t| t.max(created_at));
    let labels = || issue.labels.iter().map(|l| l.trim());
    let labelled = |prefix: &str| {
        labels().find_map(|l| {
            let head = l.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix)
                .then(|| l[prefix.len()..].trim())
                .filter(|v| !v.is_empty())
        })
    };
    let severity = labelled(SEVERITY_LABEL)
        .or(non_empty(&issue.severity))
        .unwrap_or("unknown")
        .to_lowercase();
    let linked_deployment = labelled(DEPLOY_LABEL)
        .and_then(|v| v.parse::<u64>().ok())
        .map(deployment_of);
    Ok(Incident {
        key: OutsideText::line(&key).into_string(),
        service: OutsideText::line(service).into_string(),
        title: issue.title.as_deref().unwrap_or("").to_string(),
        severity: OutsideText::line(&severity).into_string(),
        created_at,
        resolved_at,
        linked_deployment,
    })
}

fn non_empty(s: &Option<OutsideText>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(json: &str) -> ApiIssue {
        serde_json::from_str(json).expect("an issue")
    }

    fn documented() -> ApiIssue {
        issue(
            r##"{"id":900,"iid":12,"project_id":5,"title":"Checkout 500s","state":"closed",
            "labels":["incident","Severity::High","deploy::41"],"severity":"MEDIUM",
            "issue_type":"incident","type":"INCIDENT",
            "created_at":"2026-03-01T12:00:00.000Z","updated_at":"2026-03-01T13:00:00.000Z",
            "closed_at":"2026-03-01T12:45:00.000Z","references":{"short":"#12","full":"acme/app#12"}}"##,
        )
    }

    fn gitlab_id(id: u64) -> String {
        format!("gitlab:{id}")
    }

    #[test]
    fn an_incident_maps_field_by_field_and_the_label_wins_over_the_field() {
        let i = incident(&documented(), "acme/app", "checkout", gitlab_id).expect("maps");
        assert_eq!(i.key, "acme/app#12");
        assert_eq!(i.service, "checkout");
        assert_eq!(i.title, "Checkout 500s");
        assert_eq!(i.severity, "high", "the severity:: label, any case");
        assert_eq!(i.created_at.to_rfc3339(), "2026-03-01T12:00:00+00:00");
        assert_eq!(
            i.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-03-01T12:45:00+00:00")
        );
        assert_eq!(i.linked_deployment.as_deref(), Some("gitlab:41"));
    }

    #[test]
    fn without_labels_the_fields_decide_and_a_reopened_one_is_unresolved() {
        let mut r = documented();
        r.labels.clear();
        r.references = None;
        r.state = Some("opened".into());
        let i = incident(&r, "acme/app", "checkout", gitlab_id).expect("maps");
        assert_eq!(i.key, "acme/app#12");
        assert_eq!(i.severity, "medium", "the API's severity field");
        assert_eq!(i.resolved_at, None);
        assert_eq!(i.linked_deployment, None);
        r.severity = None;
        r.labels = vec!["deploy::not-a-number".into()];
        let i = incident(&r, "acme/app", "checkout", gitlab_id).expect("maps");
        assert_eq!(i.severity, "unknown");
        assert_eq!(i.linked_deployment, None);
    }

    #[test]
    fn an_incident_without_iid_or_creation_is_rejected_with_the_reason() {
        let mut r = documented();
        r.created_at = None;
        let e = incident(&r, "acme/app", "checkout", gitlab_id).expect_err("no created_at");
        assert_eq!(e.reason, "no created_at");
        assert_eq!(e.record, "acme/app incident acme/app#12");
        let mut r = documented();
        r.references = None;
        r.iid = None;
        let e = incident(&r, "acme/app", "checkout", gitlab_id).expect_err("no iid");
        assert_eq!(e.reason, "no iid");
    }
}
