//! The `warden` binary: runs the command line on the process's arguments.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    rule_cli::run(std::env::args_os(), &mut out, &mut err).into()
}
