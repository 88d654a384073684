//! Entering and leaving the terminal. Restoring is idempotent and runs on every exit
//! path: normal quit, error (the caller restores before printing), panic (ratatui's hook,
//! installed after color-eyre's so both run) and signals (the loop quits, then restores).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use super::frame_gate::FrameGate;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, BeginSynchronizedUpdate, EndSynchronizedUpdate,
    EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{execute, QueueableCommand};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::app::App;
use crate::ui::{self, Theme};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is in our mode; restoring a terminal we never touched would
/// write escape sequences into piped output.
static ENTERED: AtomicBool = AtomicBool::new(false);

/// Raw mode, alternate screen, hidden cursor (and mouse capture when asked), and a
/// panic hook that undoes them.
pub fn enter(mouse: bool) -> io::Result<Term> {
    install_panic_hook();
    ENTERED.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    // Bracketed paste: a paste arrives whole (`Input::Paste`), so a pasted line break
    // or escape is text for the field typed in, never Enter or Esc.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        Hide,
        EnableBracketedPaste
    )?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Restores the terminal before the previous hook (color-eyre's) prints the report,
/// so the panic message lands on the normal screen and stays readable.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Leaves the alternate screen, shows the cursor, and ends raw mode. Safe to call twice
/// and when the terminal was never entered.
pub fn restore() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        // Each step is attempted even if an earlier one fails (the tty may be gone).
        let _ = disable_raw_mode();
        // Disabling mouse capture that was never enabled is harmless.
        let _ = execute!(
            io::stdout(),
            EndSynchronizedUpdate,
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            Show
        );
    }
}

/// Draws one frame wrapped in synchronized output, so a slow link never shows a
/// half-drawn frame (and the terminal never flickers).
/// Nothing is written when the frame is the one already on screen ([`FrameGate`]).
pub fn draw(term: &mut Term, app: &App, theme: &Theme, gate: &mut FrameGate) -> io::Result<()> {
    let size = term.size()?;
    let mut frame =
        ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, size.width, size.height));
    ui::render(&mut frame, &app.model, &app.derived, theme);
    if !gate.changed(&frame) {
        return Ok(());
    }
    term.backend_mut().queue(BeginSynchronizedUpdate)?;
    term.draw(|f| {
        if f.area() == frame.area {
            *f.buffer_mut() = frame;
        } else {
            // Resized between the two size reads: draw at the new size.
            ui::draw(f, &app.model, &app.derived, theme);
        }
    })?;
    term.backend_mut().queue(EndSynchronizedUpdate)?;
    term.backend_mut().flush()
}
