//! The `capol` binary: parses the command line and calls the library.

fn main() -> std::process::ExitCode {
    capol::cli::main()
}
