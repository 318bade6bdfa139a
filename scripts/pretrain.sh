#!/usr/bin/env bash
# Trains the small pretrained policies the page ships ("Load pretrained"): the `fast` preset of each
# scenario's paper learner, seed 0, on the default world, written without the replay buffers (a fraction
# of the size) to www/public/pretrained/<scenario>.safetensors.
#   bash scripts/pretrain.sh            # every scenario
#   bash scripts/pretrain.sh asp tot    # some of them
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build -q --release --bin diffedge
out=www/public/pretrained
mkdir -p "$out"

# scenario  algorithm  epochs
runs=(
  "asp      d2sac     25"
  "lad      lad       4"
  "tot      dsac      20"
  "flow     flowdiff  15"
  "ddc      ddc       10"
  "cartpole d2sac     30"
  "acrobot  d2sac     30"
)

for run in "${runs[@]}"; do
  read -r scenario algo epochs <<<"$run"
  if (($#)) && [[ " $* " != *" $scenario "* ]]; then continue; fi
  dir=$(mktemp -d)
  echo "pretrain: $scenario ($algo, fast, $epochs epochs)"
  target/release/diffedge train --scenario "$scenario" --algo "$algo" --preset fast --seed 0 --epochs "$epochs" \
    --without-replay --out "$dir"
  cp "$dir/checkpoint.safetensors" "$out/$scenario.safetensors"
  rm -rf "$dir"
done
ls -l "$out"
