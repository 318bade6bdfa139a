#!/usr/bin/env bash
# Sets up if needed, builds the wasm package and the page, and serves it on 127.0.0.1.
#   PORT=8080 npm start    (default port 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
source scripts/env.sh
port="${PORT:-8080}"
echo
echo "diffedge is served at http://127.0.0.1:${port}/  (Ctrl-C stops it)"
exec vite preview --host 127.0.0.1 --port "$port" --strictPort
