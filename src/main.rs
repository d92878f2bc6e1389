//! The `kefu` binary: parse the command line, run it, map failures to exit statuses.
use clap::Parser;

fn main() {
    let cli = kefu::cli::Cli::parse();
    if let Err(e) = kefu::app::dispatch(cli) {
        kefu::app::warn(&format!("error: {e}"));
        std::process::exit(e.exit_code());
    }
}
