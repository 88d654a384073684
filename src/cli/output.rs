//! Writing a command's text to standard output without panicking: `print!` panics
//! when the reader went away (`flightdeck report | head`) or the disk is full.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use color_eyre::eyre::{eyre, Result};

use crate::model::outside::printable;

/// Writes `text` to stdout and flushes. A closed pipe is the reader's choice, not an
/// error: it ends the command successfully, as `cat` does. Any other failure (ENOSPC,
/// EIO) is an error that says what happened.
pub fn emit(text: &str) -> Result<ExitCode> {
    emit_to(&mut std::io::stdout().lock(), text)
}

/// Writes one line to stderr through the same sink: a message may quote a config file
/// or a server (a key name, a path, an error), which must not drive the terminal.
pub fn say(line: &str) {
    eprintln!("{}", printable(line));
}

fn emit_to(out: &mut impl Write, text: &str) -> Result<ExitCode> {
    // Every command's text passes through one sink that redacts and sanitizes it.
    let text = printable(text);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(eyre!("cannot write the output: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing(ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from(self.0))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_quietly_and_other_failures_are_errors() {
        assert!(emit_to(&mut Failing(ErrorKind::BrokenPipe), "x").is_ok());
        let err = emit_to(&mut Failing(ErrorKind::StorageFull), "x").unwrap_err();
        assert!(err.to_string().contains("cannot write the output"), "{err}");
        let mut buf = Vec::new();
        assert!(emit_to(&mut buf, "frame\n").is_ok());
        assert_eq!(buf, b"frame\n");
    }
}
