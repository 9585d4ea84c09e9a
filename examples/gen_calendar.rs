//! Generates `src/calendar/holidays.tsv`, the official calendar embedded in yimen, from the
//! holiday-cn data:
//!
//! ```text
//! cargo run --example gen_calendar -- ../shared/data/holiday-cn > src/calendar/holidays.tsv
//! ```
//!
//! `tests/calendar.rs` checks that the committed file equals a fresh generation.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: gen_calendar <holiday-cn directory> > src/calendar/holidays.tsv");
        return ExitCode::from(2);
    };
    match yimen::calendar::table_from_holiday_cn_dir(Path::new(&dir)) {
        Ok(table) => match std::io::stdout().lock().write_all(table.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gen_calendar: cannot write the table: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("gen_calendar: {e}");
            ExitCode::FAILURE
        }
    }
}
