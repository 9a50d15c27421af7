#!/usr/bin/env bash
# The main job on the embedded default database: show and check a schedule, predict it with the
# simulator, measure it with the threaded executor, and write a report that sets the two side by side.
set -euo pipefail
db="${1:-stagecraft.db}"
bin="$(swift build -c release --show-bin-path)/stagecraft"
out="out"
mkdir -p "$out"

echo "== 1F1B over 2 devices, 8 micro-batches"
"$bin" schedule show --schedule 1f1b --devices 2 --microbatches 8
echo
echo "== Export interleaved (p=4, m=8, v=2) to PyTorch CSV and validate it"
"$bin" schedule export --schedule interleaved --devices 4 --microbatches 8 --chunks 2 -o "$out/interleaved.csv"
"$bin" schedule validate "$out/interleaved.csv"
echo
echo "== Predict and measure: calibrate the cost model on this machine, simulate 1F1B p=2 m=8,"
echo "   train an 8-layer MLP (width 512, batch 256) with the same schedule, and compare action by action"
"$bin" run --predict --schedule 1f1b --devices 2 --microbatches 8 --layers 8 --hidden 512 --batch 256 \
    --db "$db" | tee "$out/run.txt"
predicted=$(sed -n 's/.*recorded simulated run \([0-9][0-9]*\).*/\1/p' "$out/run.txt" | tail -n 1)
measured=$(sed -n 's/^recorded run \([0-9][0-9]*\) in .*/\1/p' "$out/run.txt" | tail -n 1)
echo
echo "== Runs in $db"
"$bin" runs --db "$db" --limit 5
echo
echo "== Report: predicted above measured, on one time axis"
"$bin" report "$predicted" "$measured" --db "$db" --out "$out/report.html"
