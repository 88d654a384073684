//! `flightdeck completions` and `flightdeck man`, as a shell and `man` meet them: the
//! bash script is loaded by a real bash and registers the completion; the others are
//! generated for every shell offered; the man page is roff naming every subcommand.

use std::process::{Command, Output};

fn flightdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        // Completions never read a config: a broken one must not matter.
        .env("FLIGHTDECK_CONFIG", "/nonexistent/flightdeck.toml")
        .output()
        .expect("run flightdeck")
}

#[test]
fn bash_loads_the_completion_and_completes_subcommands() {
    let out = flightdeck(&["completions", "bash"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = std::env::temp_dir().join(format!("fd-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let script = dir.join("flightdeck.bash");
    std::fs::write(&script, &out.stdout).expect("write the script");
    // Loaded as a user would, then asked to complete `flightdeck sn<TAB>`.
    let probe = format!(
        "source {} && complete -p flightdeck && \
         COMP_WORDS=(flightdeck sn) COMP_CWORD=1 COMP_LINE='flightdeck sn' COMP_POINT=13 && \
         _flightdeck flightdeck sn flightdeck && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let bash = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("run bash");
    let said = String::from_utf8_lossy(&bash.stdout);
    assert!(
        bash.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    assert!(said.contains("-F _flightdeck flightdeck"), "{said}");
    assert!(said.lines().any(|l| l == "snapshot"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_shell_offered_gets_a_script_and_others_are_refused() {
    for (shell, mark) in [
        ("zsh", "#compdef flightdeck"),
        ("fish", "complete -c flightdeck"),
    ] {
        let out = flightdeck(&["completions", shell]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(mark), "{shell}: {text}");
        assert!(text.contains("gate"), "{shell} lacks the gate subcommand");
    }
    let out = flightdeck(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand_and_flag() {
    let out = flightdeck(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH flightdeck"), "no title header");
    for word in [
        "snapshot",
        "report",
        "gate",
        "doctor",
        "completions",
        "\\-\\-theme",
    ] {
        assert!(page.contains(word), "the man page lacks {word}");
    }
}
