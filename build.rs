//! Lays out the release binary's code so that what a running cockpit executes sits
//! together (see `link/README.md`): release builds on Linux hand `link/hot-text.ld` to
//! the linker. GNU ld and LLD (Rust's default linker there) read it; set
//! `FLIGHTDECK_NO_CODE_ORDER=1` for a linker that does not (mold).

use std::env;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=link/hot-text.ld");
    println!("cargo:rerun-if-env-changed=FLIGHTDECK_NO_CODE_ORDER");
    let release = env::var("PROFILE").as_deref() == Ok("release");
    let linux = env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if !release || !linux || env::var_os("FLIGHTDECK_NO_CODE_ORDER").is_some() {
        return;
    }
    let Ok(dir) = env::var("CARGO_MANIFEST_DIR") else {
        return;
    };
    let script = Path::new(&dir).join("link").join("hot-text.ld");
    let Some(path) = script.to_str().filter(|p| !p.contains(',')) else {
        // `-Wl,` splits its argument at commas; such a path cannot be passed whole.
        println!("cargo:warning=code layout skipped: the path {script:?} holds a comma");
        return;
    };
    // A packaged copy without the script (or a trimmed checkout) still builds.
    if script.is_file() {
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{path}");
    }
}
