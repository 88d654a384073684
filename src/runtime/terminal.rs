//! Entering and leaving the terminal. Restoring is idempotent and runs on every exit
//! path: normal quit, error (the caller restores before printing), panic (ratatui's hook,
//! installed after color-eyre's so both run) and signals (the loop quits, then restores).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use super::screen::Screen;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::style::{Attribute, SetAttribute};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::layout::Rect;

use crate::app::App;
use crate::ui::{self, Theme};

/// The terminal in our mode, and what it shows.
pub struct Term {
    screen: Screen,
    /// One frame's bytes, kept so a frame does not allocate them again.
    out: Vec<u8>,
}

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
    Ok(Term {
        screen: Screen::default(),
        out: Vec::new(),
    })
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
            // Frames keep their last rendition; leaving the alternate screen restores
            // the one saved on entry, but not on every terminal.
            SetAttribute(Attribute::Reset),
            Show
        );
    }
}

/// Draws one frame wrapped in synchronized output, so a slow link never shows a
/// half-drawn frame (and the terminal never flickers), in one write.
/// Nothing is written when the frame is the one already on screen.
pub fn draw(term: &mut Term, app: &App, theme: &Theme) -> io::Result<()> {
    let (width, height) = size()?;
    let frame = term.screen.next_frame(Rect::new(0, 0, width, height));
    ui::render(frame, &app.model, &app.derived, theme);
    term.out.clear();
    term.out.extend_from_slice(BEGIN_UPDATE);
    term.screen.paint(&mut term.out);
    if term.out.len() == BEGIN_UPDATE.len() {
        return Ok(());
    }
    term.out.extend_from_slice(END_UPDATE);
    let mut stdout = io::stdout().lock();
    stdout.write_all(&term.out)?;
    // A whole repaint of a big terminal takes 100 KB or more; an idle frame, a few
    // bytes. Keep room for the common case only.
    term.out.clear();
    term.out.shrink_to(OUT_KEPT);
    stdout.flush()
}

/// The terminal's size, asked of stdout itself: one ioctl, where crossterm opens,
/// asks and closes `/dev/tty` each time.
fn size() -> io::Result<(u16, u16)> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct passed, nothing else.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    if ok && ws.ws_col > 0 && ws.ws_row > 0 {
        Ok((ws.ws_col, ws.ws_row))
    } else {
        crossterm::terminal::size()
    }
}

/// The next frame is drawn whole (see [`Screen::invalidate`]).
pub fn invalidate(term: &mut Term) {
    term.screen.invalidate();
}

/// The frame bytes' buffer keeps at most this much room between frames.
const OUT_KEPT: usize = 16 * 1024;

/// Synchronized output (mode 2026): the terminal shows the frame once it is whole.
const BEGIN_UPDATE: &[u8] = b"\x1b[?2026h";
const END_UPDATE: &[u8] = b"\x1b[?2026l";
