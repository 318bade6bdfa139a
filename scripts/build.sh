#!/usr/bin/env bash
# Builds the wasm package (release, into pkg/) and the static page (into www/dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# wasm-opt comes from npm's binaryen (on PATH via scripts/env.sh); Debian's is too old (toolchain.md).
wasm-pack build crate --release --target web --out-dir ../pkg --out-name diffedge --no-pack
vite build --logLevel warn
