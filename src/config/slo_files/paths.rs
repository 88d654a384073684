//! `[[slo_files]] path`: a file, or a pattern with `*` and `?` in its file name
//! (`slos/*.yaml`), relative to the config file's directory. Directories are literal,
//! so a pattern never walks a tree; the matches come sorted, so the order is stable.

use std::path::{Path, PathBuf};

/// The files `pattern` names, or why it names none.
pub fn expand(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let full = base.join(pattern);
    let dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
    let Some(name) = full.file_name().and_then(|n| n.to_str()) else {
        return Err("a file name or pattern like \"slos/*.yaml\"".into());
    };
    if dir.to_string_lossy().contains(['*', '?', '[']) {
        return Err(format!(
            "wildcards only in the file name, like \"slos/*.yaml\" (a directory is taken as \
             written), found {pattern:?}"
        ));
    }
    if !name.contains(['*', '?']) {
        return Ok(vec![full]);
    }
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("a readable directory at {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter(|e| e.file_name().to_str().is_some_and(|n| matches(name, n)))
        .map(|e| e.path())
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!(
            "a pattern that matches a file; nothing in {} matches {name:?}",
            dir.display()
        ));
    }
    Ok(found)
}

/// Shell-style match of a file name: `*` any run of characters, `?` one character.
/// A hidden file (leading `.`) matches only a pattern that starts with `.`.
fn matches(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Greedy match with one backtrack point: linear, whatever the pattern.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_match_like_a_shell() {
        assert!(matches("*.yaml", "a.yaml"));
        assert!(matches("slo-?.y*ml", "slo-1.yml"));
        assert!(!matches("*.yaml", "a.yml"));
        assert!(!matches("*.yaml", ".hidden.yaml"));
        assert!(matches("*", "x"));
        assert!(!matches("a*b", "acbd"));
    }

    #[test]
    fn a_wildcard_directory_is_refused() {
        let e = expand(Path::new("/tmp"), "slos/*/x.yaml").expect_err("refused");
        assert!(e.contains("only in the file name"), "{e}");
    }
}
