//! The code layout script (`link/hot-text.ld`) that release builds hand to the linker:
//! it must only add a section before `.text` (never replace the default layout), name
//! every function in a form both GNU ld and LLD read, and cover what a cockpit runs.
//! CI builds no release binary, so a broken regeneration is caught here.

use std::collections::HashSet;

fn script() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/link/hot-text.ld"))
        .expect("link/hot-text.ld")
}

/// The section patterns, one per line: `*(.text.NAME .text.unlikely.NAME)`.
fn patterns(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("*(")?.strip_suffix(')'))
        .map(|inner| {
            let (hot, cold) = inner
                .split_once(' ')
                .unwrap_or_else(|| panic!("two patterns expected: {inner}"));
            let name = hot.strip_prefix(".text.").expect(".text. prefix");
            assert_eq!(cold, format!(".text.unlikely.{name}"), "{inner}");
            name.to_string()
        })
        .collect()
}

#[test]
fn the_script_only_inserts_the_hot_section_before_text() {
    let text = script();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("*("))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.split("*/").last().unwrap_or_default();
    let words: Vec<&str> = code.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "SECTIONS",
            "{",
            ".text.hot",
            ":",
            "{",
            "}",
            "}",
            "INSERT",
            "BEFORE",
            ".text;"
        ],
        "anything else would change the default layout"
    );
}

#[test]
fn every_pattern_is_a_plain_section_name_or_a_prefix() {
    let names = patterns(&script());
    assert!(names.len() > 1000, "{} patterns", names.len());
    let mut seen = HashSet::new();
    for name in &names {
        // Mangled names only: a space, parenthesis or quote would end the pattern,
        // and a `*` anywhere but at the end would match more than meant.
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_$.*".contains(c)),
            "{name}"
        );
        assert!(!name.trim_end_matches('*').contains('*'), "{name}");
        assert!(seen.insert(name), "listed twice: {name}");
    }
}

#[test]
fn it_covers_the_live_cockpit_and_the_demo() {
    let names = patterns(&script());
    let has = |part: &str| names.iter().any(|n| n.contains(part));
    for part in [
        // The Prometheus source's poll, the cache writer, the screen, and the demo.
        "10prometheus",
        "5store",
        "7runtime8terminal4draw",
        "4demo5world",
        // What LLVM files under .text.unlikely (growth paths) is listed too.
        "reserve_rehash",
    ] {
        assert!(has(part), "no function of {part} in the hot list");
    }
}
