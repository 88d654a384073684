use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Before the terminal is touched, so its panic and error reports are readable.
    if let Err(e) = color_eyre::install() {
        eprintln!("flightdeck: cannot install the error reporter: {e}");
    }
    let cli = flightdeck::cli::Cli::parse();
    match flightdeck::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // The terminal is already restored by the runtime; restoring again is safe.
            flightdeck::runtime::terminal::restore();
            eprintln!("flightdeck: {e:?}");
            ExitCode::FAILURE
        }
    }
}
