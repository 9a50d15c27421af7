#!/usr/bin/env bash
# Predicting PyTorch runs from a PyTorch run. For the same MLP on this machine (p = 2 ranks, gloo, CPU),
# record torch.distributed.pipelining runs with torch.profiler (make_traces.py), import each with
# `stagecraft import-trace`, read a cost model off one of them (`calibrate --from-run`), and predict the
# others with it (`compare RUN --cost-model`): the table gives each prediction's makespan error next to the
# measured spread of its profiled steps. Pairs: schedules with the same stages per rank.
#
#   experiments/pytorch/run.sh [DB]        (default experiments/pytorch/results.db; needs torch, see README)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
db=${1:-experiments/pytorch/results.db}
python3 -c 'import torch' 2>/dev/null || { echo "torch is not installed: pip install /opt/wheels/torch-*+cpu-*.whl (or the CPU wheel from download.pytorch.org); skipped"; exit 0; }
swift build -c release --product stagecraft >/dev/null
bin=.build/release/stagecraft
traces=$(mktemp -d)
trap 'rm -rf "$traces"' EXIT
rm -f "$db"
model=(--ranks 2 --microbatches 8 --layers 8 --hidden 1024 --batch 64 --warmup 3 --steps 7)
echo "torch $(python3 -c 'import torch; print(torch.__version__)'); MLP ${model[*]}"
declare -A run
for s in GPipe-runtime 1F1B-runtime LoopedBFS Interleaved1F1B; do
    python3 experiments/pytorch/make_traces.py --schedule "$s" "${model[@]}" --out "$traces" >/dev/null 2>&1
    run[$s]=$("$bin" import-trace "$traces/${s}_p2_m8_rank0.json" "$traces/${s}_p2_m8_rank1.json" --name "$s" --db "$db" --json \
              | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
done
printf '%-14s %-16s %12s %12s %9s  %s\n' "calibrated on" "predicted" "predicted" "measured" "error" "measured steps: median, quartiles"
for pair in "GPipe-runtime 1F1B-runtime" "1F1B-runtime GPipe-runtime" "LoopedBFS Interleaved1F1B" "Interleaved1F1B LoopedBFS"; do
    read -r from to <<<"$pair"
    "$bin" calibrate --from-run "${run[$from]}" --db "$db" -o "$traces/$from.json" --no-record >/dev/null
    "$bin" compare "${run[$to]}" --cost-model "$traces/$from.json" --db "$db" --json | python3 -c '
import json, sys
c = json.load(sys.stdin); s = c["measured_spread"]["makespan_ns"]
print(f"%-14s %-16s %10.2f ms %10.2f ms %+8.2f%%  %.2f ms, %.2f–%.2f ms (%d of %d steps kept)" % (sys.argv[1], sys.argv[2],
      c["predicted_makespan_ns"] / 1e6, c["measured_makespan_ns"] / 1e6, c["makespan_error"] * 100, s["median"] / 1e6,
      s["q1"] / 1e6, s["q3"] / 1e6, c["measured_spread"]["kept"], c["measured_spread"]["iterations"]))' "$from" "$to"
done
