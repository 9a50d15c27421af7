#!/usr/bin/env bash
# The main job on the embedded default database: show a schedule, validate its CSV form.
set -euo pipefail
db="${1:-stagecraft.db}"
bin="$(swift build -c release --show-bin-path)/stagecraft"
out="out"
mkdir -p "$out"

echo "== 1F1B over 4 devices, 8 micro-batches"
"$bin" schedule show --schedule 1f1b --devices 4 --microbatches 8
echo
echo "== Chimera over 4 devices, 8 micro-batches"
"$bin" schedule show --schedule chimera --devices 4 --microbatches 8
echo
echo "== Export interleaved (p=4, m=8, v=2) to PyTorch CSV and validate it"
"$bin" schedule export --schedule interleaved --devices 4 --microbatches 8 --chunks 2 -o "$out/interleaved.csv"
"$bin" schedule validate "$out/interleaved.csv"
