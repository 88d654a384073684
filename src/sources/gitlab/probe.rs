//! What `doctor` asks GitLab: is the token valid (`GET /user`), is each project found,
//! does each environment have deployments. Returns lines; `doctor` prints them.

use super::api::{ApiDeployment, ApiProject, ApiUser};
use super::client::project_path;
use super::GitLabSource;
use crate::event::SourceErrorKind;
use crate::net::Auth;

pub use crate::sources::check::{Check, Outcome};

/// Runs the checks in order; stops after a failure that every later request would
/// share (no credentials, a refused token, an unreachable server).
pub async fn probe(source: &GitLabSource) -> Vec<Check> {
    let mut checks = Vec::new();
    let auth = match source.auth().await {
        Ok(a) => a,
        Err(e) => {
            checks.push(Check::fail("credentials", e));
            return checks;
        }
    };
    if matches!(auth, Auth::None) {
        checks.push(Check::warn(
            "token",
            "none configured (token_env or token_cmd); only public projects are readable",
        ));
    } else {
        match source
            .client()
            .get_json::<ApiUser>("user", &[], &auth, "the token's user")
            .await
        {
            Ok(user) => checks.push(Check::ok(
                "token",
                format!(
                    "valid, for user {}",
                    user.username.as_deref().unwrap_or("(no name)")
                ),
            )),
            Err(e) => {
                checks.push(Check::fail("token", e.error));
                return checks;
            }
        }
    }
    for project in &source.config().projects {
        let what = format!("project {}", project.project);
        let path = project_path(&project.project);
        match source
            .client()
            .get_json::<ApiProject>(&path, &[], &auth, "project")
            .await
        {
            Ok(p) => checks.push(Check::ok(
                &what,
                format!(
                    "found ({}, id {})",
                    p.path_with_namespace.as_deref().unwrap_or("?"),
                    p.id.map_or("?".to_string(), |i| i.to_string())
                ),
            )),
            Err(e) => {
                let every = matches!(
                    e.kind,
                    SourceErrorKind::Auth | SourceErrorKind::Network | SourceErrorKind::Timeout
                );
                checks.push(Check::fail(&what, e.error));
                if every {
                    return checks;
                }
                continue;
            }
        }
        for environment in &project.environments {
            let what = format!("  environment {environment}");
            let params = [
                ("environment", environment.clone()),
                ("order_by", "updated_at".to_string()),
                ("sort", "desc".to_string()),
                ("per_page", "1".to_string()),
            ];
            let path = format!("{path}/deployments");
            match source
                .client()
                .get_json::<Vec<ApiDeployment>>(&path, &params, &auth, "deployments")
                .await
            {
                Ok(list) if list.is_empty() => checks.push(Check::warn(
                    &what,
                    "no deployments; check the name (as GitLab spells it, case included)",
                )),
                Ok(list) => checks.push(Check::ok(
                    &what,
                    format!(
                        "has deployments (latest {}: {} of {})",
                        list[0].id.map_or("?".to_string(), |i| i.to_string()),
                        list[0].status.as_deref().unwrap_or("?"),
                        list[0].git_ref.as_deref().unwrap_or("?"),
                    ),
                )),
                Err(e) => checks.push(Check::fail(&what, e.error)),
            }
        }
    }
    checks
}
