//! The `diffedge` command line; see `diffedge --help`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    diffedge::cli::main()
}

// The command line is native only; wasm builds of the test targets still need a `main`.
#[cfg(target_arch = "wasm32")]
fn main() {}
