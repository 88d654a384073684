//! A job's full name as a URL path: `job/` before every folder, each segment
//! percent-encoded. A multibranch branch name is stored by Jenkins already encoded
//! (`feature/x` is the item `feature%2Fx`), so its `%` is encoded again and the URL
//! segment reads `feature%252Fx` (API-NOTES §3.1).

/// `team/deploy/checkout` → `/job/team/job/deploy/job/checkout`.
pub fn job_path(full_name: &str) -> String {
    let mut path = String::with_capacity(full_name.len() + 16);
    for segment in full_name.split('/') {
        path.push_str("/job/");
        path.push_str(&encode_segment(segment));
    }
    path
}

/// Every byte but the unreserved ones (RFC 3986) is percent-encoded, `%` included:
/// that is what turns a stored `%2F` into the `%252F` Jenkins expects.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The name a user reads: Jenkins's stored `%2F` shown as the `/` it stands for.
pub fn display_name(full_name: &str) -> String {
    full_name.replace("%2F", "/").replace("%2f", "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_repeat_job_and_branches_are_double_encoded() {
        assert_eq!(job_path("deploy"), "/job/deploy");
        assert_eq!(
            job_path("team/deploy/checkout"),
            "/job/team/job/deploy/job/checkout"
        );
        assert_eq!(
            job_path("team/checkout/release%2F1.2"),
            "/job/team/job/checkout/job/release%252F1.2"
        );
        assert_eq!(job_path("My Team/a+b"), "/job/My%20Team/job/a%2Bb");
        assert_eq!(job_path("équipe"), "/job/%C3%A9quipe");
    }

    #[test]
    fn display_names_show_the_branch_slash() {
        assert_eq!(
            display_name("team/checkout/release%2F1.2"),
            "team/checkout/release/1.2"
        );
    }
}
