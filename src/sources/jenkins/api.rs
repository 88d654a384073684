//! The shapes of Jenkins's JSON API answers (API-NOTES §3), as far as flightdeck reads
//! them, and the `tree` that asks for exactly these fields. Every string is an
//! [`OutsideText`]: it is redacted, sanitized and bounded as it is parsed.

use serde::Deserialize;

use crate::model::outside::OutsideText;

/// One change-set entry: core `ChangeLogSet.Entry` fields plus the git plugin's.
const ENTRY: &str = "commitId,timestamp,msg,author[fullName]";

/// The fields of a build the source reads. Pipeline runs export `changeSets`,
/// freestyle builds `changeSet`; the tree filter ignores the one that is missing.
pub fn build_fields() -> String {
    format!(
        "number,result,building,timestamp,duration,url,displayName,\
         actions[parameters[name,value],causes[userId,userName],lastBuiltRevision[SHA1]],\
         changeSet[items[{ENTRY}]],changeSets[items[{ENTRY}]]"
    )
}

/// A job with a range of its builds. `builds` holds at most the newest 100;
/// `allBuilds` reaches further back, and is exported only when named in the tree.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JobBuilds {
    #[serde(rename = "_class")]
    pub class: Option<OutsideText>,
    pub builds: Option<Vec<Build>>,
    #[serde(rename = "allBuilds")]
    pub all_builds: Option<Vec<Build>>,
}

impl JobBuilds {
    /// The builds of whichever list was asked for.
    pub fn into_builds(self) -> Vec<Build> {
        self.all_builds.or(self.builds).unwrap_or_default()
    }

    /// Pipeline jobs have stage views (`wfapi`); freestyle jobs do not.
    pub fn is_pipeline(&self) -> bool {
        self.class
            .as_deref()
            .is_some_and(|c| c.contains("WorkflowJob"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Build {
    pub number: Option<u64>,
    /// `SUCCESS|UNSTABLE|FAILURE|NOT_BUILT|ABORTED`, null while building.
    pub result: Option<OutsideText>,
    pub building: Option<bool>,
    /// Epoch ms when the build was scheduled (the start is not exported).
    pub timestamp: Option<i64>,
    /// ms; 0 while building.
    pub duration: Option<i64>,
    pub url: Option<OutsideText>,
    #[serde(rename = "displayName")]
    pub display_name: Option<OutsideText>,
    /// Actions are of many classes; most are `{}` under a tree filter. Entries that
    /// are `null` (Jenkins writes them for hidden actions) are read as empty.
    pub actions: Vec<Option<Action>>,
    #[serde(rename = "changeSet")]
    pub change_set: Option<ChangeSet>,
    #[serde(rename = "changeSets")]
    pub change_sets: Option<Vec<ChangeSet>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Action {
    pub parameters: Option<Vec<Parameter>>,
    pub causes: Option<Vec<Cause>>,
    #[serde(rename = "lastBuiltRevision")]
    pub last_built_revision: Option<Revision>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Parameter {
    pub name: Option<OutsideText>,
    /// Strings mostly; booleans and numbers for other parameter types.
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Cause {
    #[serde(rename = "userId")]
    pub user_id: Option<OutsideText>,
    #[serde(rename = "userName")]
    pub user_name: Option<OutsideText>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Revision {
    #[serde(rename = "SHA1")]
    pub sha1: Option<OutsideText>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChangeSet {
    pub items: Vec<Entry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Entry {
    #[serde(rename = "commitId")]
    pub commit_id: Option<OutsideText>,
    /// Epoch ms, or -1 when the SCM does not know.
    pub timestamp: Option<i64>,
    pub msg: Option<OutsideText>,
    pub author: Option<Author>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Author {
    #[serde(rename = "fullName")]
    pub full_name: Option<OutsideText>,
}

/// `/{run}/wfapi/describe` of the pipeline stage view plugin.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunDescription {
    pub stages: Vec<StageDescription>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StageDescription {
    pub name: Option<OutsideText>,
    /// `NOT_EXECUTED, ABORTED, SUCCESS, IN_PROGRESS, PAUSED_PENDING_INPUT, FAILED,
    /// SKIPPED, UNSTABLE` (FAILED, not FAILURE as in the core API).
    pub status: Option<OutsideText>,
    #[serde(rename = "startTimeMillis")]
    pub start_time_millis: Option<i64>,
    #[serde(rename = "durationMillis")]
    pub duration_millis: Option<i64>,
}

/// `/whoAmI/api/json`: who the credentials authenticate as.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WhoAmI {
    pub name: Option<OutsideText>,
    pub authenticated: Option<bool>,
    pub anonymous: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_change_set_shapes_and_null_actions_parse() {
        let json = r#"{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","builds":[
          {"number":16,"result":null,"building":true,"timestamp":1413461275770,"duration":0,
           "actions":[null,{},{"parameters":[{"name":"VERSION","value":"1.2.3"},{"name":"DRY","value":false}]}],
           "changeSets":[{"items":[{"commitId":"a1","timestamp":1413460000000,"msg":"Fix\u001b[2J","author":{"fullName":"Jane"}}]}]},
          {"number":15,"result":"SUCCESS","changeSet":{"items":[{"commitId":"b2","timestamp":-1,"msg":"x"}]}}]}"#;
        let job: JobBuilds = serde_json::from_str(json).expect("parses");
        assert!(job.is_pipeline());
        let builds = job.into_builds();
        assert_eq!(builds.len(), 2);
        assert_eq!(builds[0].result, None);
        let entry = &builds[0].change_sets.as_ref().expect("changeSets")[0].items[0];
        assert_eq!(entry.msg.as_deref(), Some("Fix␛[2J"));
        assert_eq!(
            builds[1].change_set.as_ref().expect("changeSet").items[0].timestamp,
            Some(-1)
        );
    }
}
