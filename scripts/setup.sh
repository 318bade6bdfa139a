#!/usr/bin/env bash
# Installs what diffedge needs, idempotently: about a second when everything is already there.
#   - Debian packages: chromium + chromium-driver (browser tests), mesa-vulkan-drivers (GPU kernels on
#     lavapipe, a software Vulkan driver)
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli at exactly the version Cargo.lock pins, and wasm-pack (pinned below)
#   - the npm dev dependencies (package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

WASM_PACK_VERSION=0.15.1

say() { printf 'setup: %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null || missing+=(mesa-vulkan-drivers)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# --- Rust -----------------------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the crate's wasm-bindgen exactly; read the version back from the lock file.
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "cargo install wasm-bindgen-cli $bindgen_version (about 4 minutes)"
  # Not --locked: a version in its lock file is missing from the registry (toolchain.md).
  cargo install -q wasm-bindgen-cli --version "$bindgen_version"
fi
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "cargo install wasm-pack $WASM_PACK_VERSION (about 2 minutes)"
  cargo install -q wasm-pack --version "$WASM_PACK_VERSION" --locked
fi

# --- npm ------------------------------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
