//! The native command line (`diffedge`). Thin: it parses arguments, runs what `scenario`, `train` and
//! `params` offer and prints it. Every user error is one line on stderr and exit status 2.

mod args;
mod bench;
mod compare;
mod eval;
mod inputs;
mod params;
mod train;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command, Format};

/// Entry point of the `diffedge` binary.
pub fn main() -> ExitCode {
    crate::nn::kernels::work_on_this_thread();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One line: clap's first line, plus the list of allowed values when it gives one.
            let text = e.render().to_string();
            let mut line = text.lines().next().unwrap_or("error: invalid arguments").to_owned();
            if let Some(values) = text.lines().map(str::trim).find(|l| l.starts_with("[possible values:")) {
                line = format!("{line} {values}");
            }
            eprintln!("{line}");
            return ExitCode::from(2);
        }
    };
    let output = match cli.command {
        Command::Eval(args) => eval::eval(&args),
        Command::Train(args) => train::train(&args),
        Command::Compare(args) => match compare::compare(&args) {
            Ok((report, unmet)) => {
                print!("{report}");
                if let Some(unmet) = unmet {
                    eprintln!("requirement not met: {unmet}");
                    return ExitCode::from(1);
                }
                return ExitCode::SUCCESS;
            }
            Err(e) => Err(e),
        },
        Command::Scenarios => Ok(eval::scenarios()),
        Command::Params(command) => params::params(&command),
        Command::Bench { format } => Ok(bench::run(format == Format::Json)),
    };
    match output {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
