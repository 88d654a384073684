use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Before the terminal is touched, so its panic and error reports are readable.
    install_error_reporter();
    let cli = flightdeck::cli::Cli::parse();
    match flightdeck::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // The terminal is already restored by the runtime; restoring again is safe.
            flightdeck::runtime::terminal::restore();
            // The error and its causes on one line; the full report (with backtrace)
            // only when the developer asked for backtraces.
            // An error may quote a server or a config file: printed through the sink.
            let line = format!("flightdeck: {e:#}");
            eprintln!("{}", flightdeck::model::outside::printable(&line));
            if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
                eprintln!("{e:?}");
            }
            ExitCode::FAILURE
        }
    }
}

/// color-eyre's reporter, without colour when NO_COLOR / `--no-color` / TERM=dumb
/// asks for none or stderr is not a terminal (a log file must not fill with escapes).
fn install_error_reporter() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let hooks = color_eyre::config::HookBuilder::default();
    let hooks = if flightdeck::cli::plain_error_output(&args) {
        hooks.theme(color_eyre::config::Theme::new())
    } else {
        hooks
    };
    if let Err(e) = hooks.install() {
        eprintln!("flightdeck: cannot install the error reporter: {e}");
    }
}
