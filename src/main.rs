//! The `kefu` binary: parse the command line, run it, map failures to exit statuses.
use clap::Parser;

fn main() {
    let cli = kefu::cli::Cli::parse();
    if let Err(e) = kefu::app::dispatch(cli) {
        kefu::app::warn(&format!("error: {e}"));
        let code = if kefu::interrupt::requested() {
            kefu::interrupt::EXIT_STATUS
        } else {
            e.exit_code()
        };
        std::process::exit(code);
    }
}
