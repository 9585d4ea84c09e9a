//! Panics that yimen catches, kept quiet.
//!
//! A malformed workbook can make calamine panic, and miette panics on a
//! label past column 65,535; yimen catches those panics and reports the file
//! or renders the diagnostic plainly. The default panic hook would still
//! print the panic's text (a Rust message a user cannot act on): while a
//! [`quietly`] call runs on a thread, the hook prints nothing for that
//! thread; every other panic is printed as before (a panic on another
//! thread, a worker started from inside the call, included).

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

fn install() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Run `f`, catching a panic without printing it.
pub fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    install();
    QUIET.with(|q| q.set(q.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(q.get() - 1));
    result
}
