//! Jira issues found by a service's JQL → the model's incidents, which feed recovery
//! time, change failure rate and the incident linking of DESIGN §3. Pure: a record
//! without what the model needs is rejected with the reason.

use super::api::{field_text, time, ApiIssue};
use super::SOURCE_ID;
use crate::model::outside::OutsideText;
use crate::model::{Incident, Rejected};

/// Which fields say what (from `[jira]`).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    /// Severity from this field; the priority's name when unset.
    pub severity: Option<String>,
    /// The linked deployment's id from this field.
    pub deployment: Option<String>,
    /// A label `<prefix><deployment id>` links the incident (the field wins).
    pub label_prefix: String,
}

impl Fields {
    pub fn from_config(c: &crate::config::JiraConfig) -> Self {
        Fields {
            severity: c.severity_field.clone().filter(|f| !f.trim().is_empty()),
            deployment: c.deployment_field.clone().filter(|f| !f.trim().is_empty()),
            label_prefix: c.deployment_label_prefix.clone(),
        }
    }

    /// The fields a search asks for.
    pub fn requested(&self) -> Vec<String> {
        let mut f: Vec<String> = ["summary", "created", "resolutiondate", "priority", "labels"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        f.extend(self.severity.iter().cloned());
        f.extend(self.deployment.iter().cloned());
        f.dedup();
        f
    }
}

/// An incident of `service`, or rejected with the reason.
pub fn incident(issue: &ApiIssue, service: &str, fields: &Fields) -> Result<Incident, Rejected> {
    let key = issue
        .key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let reject = |reason: &str| Rejected {
        source: SOURCE_ID.to_string(),
        record: OutsideText::line(&format!(
            "{service} incident {}",
            key.unwrap_or("without key")
        ))
        .into_string(),
        reason: OutsideText::line(reason).into_string(),
    };
    let key = key.ok_or_else(|| reject("no key"))?;
    let f = &issue.fields;
    let created_at = f
        .created
        .as_deref()
        .ok_or_else(|| reject("no created"))
        .and_then(|t| time(t).map_err(|e| reject(&format!("created {e}"))))?;
    let resolved_at = match f.resolutiondate.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(
            time(t)
                .map_err(|e| reject(&format!("resolutiondate {e}")))?
                .max(created_at),
        ),
        None => None,
    };
    // `priority` as the severity field is read into `f.priority`: the fallback below.
    let configured = |name: &Option<String>| {
        name.as_deref()
            .and_then(|n| f.other.get(n))
            .and_then(field_text)
    };
    let severity = configured(&fields.severity)
        .or_else(|| f.priority.as_ref().and_then(|p| p.name.clone()))
        .map_or_else(|| "unknown".to_string(), |s| s.trim().to_lowercase());
    let by_label = || {
        let prefix = fields.label_prefix.as_str();
        f.labels.iter().find_map(|l| {
            let head = l.get(..prefix.len())?;
            (!prefix.is_empty() && head.eq_ignore_ascii_case(prefix))
                .then(|| l[prefix.len()..].trim().to_string())
                .filter(|v| !v.is_empty())
        })
    };
    let linked_deployment = configured(&fields.deployment)
        .map(OutsideText::into_string)
        .or_else(by_label);
    Ok(Incident {
        key: OutsideText::line(key).into_string(),
        service: OutsideText::line(service).into_string(),
        title: f.summary.as_deref().unwrap_or("").to_string(),
        severity: OutsideText::line(&severity).into_string(),
        created_at,
        resolved_at,
        linked_deployment: linked_deployment.map(|d| OutsideText::line(&d).into_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(json: &str) -> ApiIssue {
        serde_json::from_str(json).expect("an issue")
    }

    fn documented() -> ApiIssue {
        issue(
            r#"{"id":"10001","key":"OPS-7","fields":{"summary":"Checkout 500s",
            "created":"2026-03-01T12:00:00.000+0000","resolutiondate":"2026-03-01T12:45:00.000+0000",
            "priority":{"name":"High","id":"2"},"labels":["incident","Deploy:gitlab:pipeline:41:production"],
            "customfield_10042":{"value":"SEV-1","id":"3"},"customfield_10050":"jenkins:app:99"}}"#,
        )
    }

    fn fields() -> Fields {
        Fields {
            severity: None,
            deployment: None,
            label_prefix: "deploy:".into(),
        }
    }

    #[test]
    fn an_incident_maps_field_by_field_with_priority_and_label() {
        let i = incident(&documented(), "checkout", &fields()).expect("maps");
        assert_eq!(i.key, "OPS-7");
        assert_eq!(i.service, "checkout");
        assert_eq!(i.title, "Checkout 500s");
        assert_eq!(i.severity, "high");
        assert_eq!(i.created_at.to_rfc3339(), "2026-03-01T12:00:00+00:00");
        assert_eq!(
            i.resolved_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-03-01T12:45:00+00:00")
        );
        assert_eq!(
            i.linked_deployment.as_deref(),
            Some("gitlab:pipeline:41:production")
        );
    }

    #[test]
    fn configured_fields_win_over_priority_and_label() {
        let f = Fields {
            severity: Some("customfield_10042".into()),
            deployment: Some("customfield_10050".into()),
            ..fields()
        };
        let i = incident(&documented(), "checkout", &f).expect("maps");
        assert_eq!(i.severity, "sev-1");
        assert_eq!(i.linked_deployment.as_deref(), Some("jenkins:app:99"));
        assert!(f.requested().contains(&"customfield_10042".to_string()));
    }

    #[test]
    fn unresolved_and_unlinked_and_rejected_records() {
        let mut r = documented();
        r.fields.resolutiondate = None;
        r.fields.labels.clear();
        r.fields.priority = None;
        let i = incident(&r, "checkout", &fields()).expect("maps");
        assert_eq!(
            (i.resolved_at, i.linked_deployment, i.severity.as_str()),
            (None, None, "unknown")
        );
        r.fields.created = Some("last tuesday".into());
        let e = incident(&r, "checkout", &fields()).expect_err("bad created");
        assert!(e.reason.starts_with("created "), "{}", e.reason);
        assert_eq!(e.record, "checkout incident OPS-7");
        r.key = None;
        assert_eq!(
            incident(&r, "checkout", &fields())
                .expect_err("no key")
                .reason,
            "no key"
        );
    }
}
