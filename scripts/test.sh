#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to find: native Rust, browser (wasm), front end, e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

section() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

section "cargo test (native)"
cargo test --workspace

section "learning tests: d2sac fast balances CartPole; each scenario's fast preset beats its weakest heuristic (release)"
cargo test --release --lib -- --ignored d2sac_fast_balances_cartpole ddc_fast_satisfies_more_than_semgen fast_preset_learns --nocapture

section "wasm-pack test --headless --chrome (WebAssembly in Chromium)"
(cd crate && wasm-pack test --headless --chrome)

section "build: wasm package + page"
bash scripts/build.sh

section "front end: generated types up to date, type check and unit tests"
bash scripts/gen-types.sh --check
npm run --silent typecheck
vitest run

section "end to end: the built page in headless Chromium"
playwright test

section "all tests passed"
