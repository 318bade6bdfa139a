#!/usr/bin/env bash
# Reproduces one table of docs/results/learning.md: trains the `fast` preset of the table's learners on
# train seeds 0–4 (100 k environment steps each, the default world), then plays every final policy and the
# heuristics on the same 20 held-out episodes (`diffedge compare`: seeds 5 000 000 on, paired, 95 % intervals).
#   bash scripts/learning.sh asp                  # one table: asp, lad, tot-q08, tot-q095, tot, flow, ddc
#   JOBS=2 SEEDS="0 1" bash scripts/learning.sh flow
# Runs land in runs/learning/<learner>-s<seed>/ (RUNS= to change); a finished run is not trained again,
# so an interrupted reproduction continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
table=${1:?usage: learning.sh asp|lad|tot-q08|tot-q095|tot|flow|ddc}
runs_dir=${RUNS:-runs/learning}
seeds=${SEEDS:-0 1 2 3 4}
jobs=${JOBS:-1}

# One learner per line: run name, scenario, algorithm, epochs, extra `train` arguments. Every run is
# 100 k environment steps: 100 epochs of 1000, or lad's 10 epochs of 10 000 (LAD's schedule; its baselines
# are given the same). tot-q08/-q095 set the quality thresholds of the paper's Table (the default is 0.9).
case $table in
  asp) learners=("asp-d2sac asp d2sac 100" "asp-dqn asp dqn 100" "asp-ppo asp ppo 100"
         "asp-sac_discrete asp sac_discrete 100")
       heuristics="crash_avoid prophet round_robin random" metrics="total_reward" ;;
  lad) learners=("lad-lad lad lad 10" "lad-d2sac lad d2sac 10 --set schedule.epoch_steps=10000"
         "lad-sac_discrete lad sac_discrete 10 --set schedule.epoch_steps=10000"
         "lad-dqn lad dqn 10 --set schedule.epoch_steps=10000")
       heuristics="opt least_loaded local round_robin random" metrics="mean_delay_s" ;;
  tot-q08 | tot-q095)
       threshold=0.8; [ "$table" = tot-q095 ] && threshold=0.95
       mkdir -p "$runs_dir" && echo "{\"quality_threshold\": $threshold}" >"$runs_dir/$table.json"
       learners=("$table-dsac tot dsac 100 --config $runs_dir/$table.json")
       heuristics="greedy local round_robin" metrics="delay_reduction quality_met total_reward" ;;
  tot) learners=("tot-dsac tot dsac 100" "tot-ppo tot ppo 100" "tot-sac_discrete tot sac_discrete 100"
         "tot-ddqn tot ddqn 100")
       heuristics="greedy local round_robin" metrics="delay_reduction quality_met total_reward" ;;
  flow) learners=("flow-flowdiff flow flowdiff 100" "flow-dqn flow dqn 100" "flow-ppo flow ppo 100")
       heuristics="edf least_loaded round_robin" metrics="total_reward completion_rate mean_latency_ms" ;;
  ddc) learners=("ddc-ddc ddc ddc 100")
       heuristics="oqc_plus aaas semgen random" metrics="satisfaction_rate total_reward" ;;
  *) echo "learning.sh: unknown table '$table'" >&2; exit 2 ;;
esac

source scripts/env.sh
cargo build -q --release --bin diffedge
bin=$PWD/target/release/diffedge
mkdir -p "$runs_dir"

# The training runs, JOBS at a time; each writes <run>/checkpoint.safetensors last, so its presence means done.
for learner in "${learners[@]}"; do
  for seed in $seeds; do echo "$learner|$seed"; done
done | xargs -P "$jobs" -I{} bash -c '
  IFS="|" read -r learner seed <<<"{}"
  read -r name scenario algo epochs extra <<<"$learner"
  out='"$runs_dir"'/$name-s$seed
  [ -f "$out/checkpoint.safetensors" ] && exit 0
  echo "learning: training $name, seed $seed" >&2
  '"$bin"' train --scenario "$scenario" --algo "$algo" --preset fast --seed "$seed" --epochs "$epochs" \
    --without-replay --out "$out" $extra >"$out.log" 2>&1 || { echo "learning: $name seed $seed failed, see $out.log" >&2; exit 255; }
'

# The held-out comparisons: one per learner and metric, every seed's final policy against every heuristic
# (tables on stdout, also kept as <learner>.<metric>.txt).
for learner in "${learners[@]}"; do
  read -r name _ <<<"$learner"
  checkpoints=()
  for seed in $seeds; do checkpoints+=(--checkpoint "$runs_dir/$name-s$seed/checkpoint.safetensors"); done
  against=()
  for h in $heuristics; do against+=(--against "$h"); done
  for metric in $metrics; do
    lower=()
    [ "$metric" = mean_latency_ms ] && lower=(--lower-is-better)  # (a main metric such as lad's delay knows)
    echo "== $name: $metric"
    "$bin" compare "${checkpoints[@]}" "${against[@]}" --metric "$metric" "${lower[@]}" --episodes 20 \
      | tee "$runs_dir/$name.$metric.txt"
  done
done
