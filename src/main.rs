//! The `kefu` binary: parse the command line, run it, exit with the contract's status.
use clap::Parser;

fn main() {
    let cli = kefu::cmd::Cli::parse();
    if let Err(e) = kefu::cmd::dispatch(cli) {
        // Paths and names from the command line may hold control characters: never echo them raw.
        kefu::failure::warn(&kefu::escape::terminal_lines(&format!("error: {e}")));
        std::process::exit(e.exit_code());
    }
}
