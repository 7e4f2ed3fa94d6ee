//! The `truc` command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = truc::cli::Cli::parse();
    match truc::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
