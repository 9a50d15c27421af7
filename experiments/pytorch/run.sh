#!/usr/bin/env bash
# Predicting PyTorch runs from a PyTorch run. For the same MLP on this machine (p = 2 ranks, gloo, CPU),
# record torch.distributed.pipelining runs with torch.profiler (make_traces.py), import each with
# `stagecraft import-trace`, read a cost model off one (`calibrate --from-run`) and predict its partner with
# it (`compare RUN --cost-model`). Partners have the same stages per rank. Each round is one process per pair
# that runs both schedules in TURNS alternating turns of STEPS profiled steps (make_traces.py --schedule A,B
# --turns), so a slow phase of the machine falls on both alike; each schedule's run is all its turns'
# steps. Printed: every prediction's makespan error next to the measured spread of its profiled steps, then
# per pair the median error over the rounds and its range.
#
#   experiments/pytorch/run.sh [ROUNDS] [DB] [TURNS] [STEPS]
#       (default 3 rounds, experiments/pytorch/results.db, 4 turns of 6 steps; needs torch)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
rounds=${1:-3}
db=${2:-experiments/pytorch/results.db}
turns=${3:-4}
steps=${4:-6}
python3 -c 'import torch' 2>/dev/null || { echo "torch is not installed: pip install /opt/wheels/torch-*+cpu-*.whl (or the CPU wheel from download.pytorch.org); skipped"; exit 0; }
swift build -c release --product stagecraft >/dev/null
bin=.build/release/stagecraft
traces=$(mktemp -d)
trap 'rm -rf "$traces"' EXIT
rm -f "$db"
model=(--ranks 2 --microbatches 8 --layers 8 --hidden 1024 --batch 64 --warmup 3 --steps "$steps" --turns "$turns")
groups=("GPipe-runtime 1F1B-runtime" "LoopedBFS Interleaved1F1B")
echo "torch $(python3 -c "import torch; print(torch.__version__)"); MLP ${model[*]}; $rounds rounds; allocator: $(python3 experiments/pytorch/make_traces.py --schedule GPipe --time-only --steps 1 --warmup 0 2>/dev/null | head -1 | sed "s/.*; //")"
printf '%-5s %-15s %-16s %11s %11s %9s  %s\n' round "calibrated on" predicted predicted measured error "measured steps: median, quartiles"
results="$traces/results.txt"
for round in $(seq 1 "$rounds"); do
    for group in "${groups[@]}"; do
        read -r a b <<<"$group"
        python3 experiments/pytorch/make_traces.py --schedule "$a,$b" "${model[@]}" --name "r$round" --out "$traces" >/dev/null 2>&1
        declare -A run=()
        for s in "$a" "$b"; do
            run[$s]=$("$bin" import-trace "$traces/r$round-$s"-t*_rank*.json --name "$s" --db "$db" --json \
                      | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
        done
        for pair in "$a $b" "$b $a"; do
            read -r from to <<<"$pair"
            "$bin" calibrate --from-run "${run[$from]}" --db "$db" -o "$traces/$from-r$round.json" --no-record >/dev/null
            "$bin" compare "${run[$to]}" --cost-model "$traces/$from-r$round.json" --db "$db" --json | python3 -c '
import json, sys
c = json.load(sys.stdin); s = c["measured_spread"]["makespan_ns"]
print("%-5s %-15s %-16s %8.2f ms %8.2f ms %+8.2f%%  %.2f ms, %.2f–%.2f ms (%d of %d steps kept)" % (sys.argv[1], sys.argv[2], sys.argv[3],
      c["predicted_makespan_ns"] / 1e6, c["measured_makespan_ns"] / 1e6, c["makespan_error"] * 100, s["median"] / 1e6,
      s["q1"] / 1e6, s["q3"] / 1e6, c["measured_spread"]["kept"], c["measured_spread"]["iterations"]))
with open(sys.argv[4], "a") as out: out.write("%s %s %f\n" % (sys.argv[2], sys.argv[3], c["makespan_error"]))' "$round" "$from" "$to" "$results"
        done
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print()
print("%-15s %-16s %12s %20s" % ("calibrated on", "predicted", "median error", "range over rounds"))
errors = []
for pair in dict.fromkeys((a, b) for a, b, _ in rows):
    values = [float(e) for a, b, e in rows if (a, b) == pair]
    errors += values
    print("%-15s %-16s %+11.2f%% %9.2f%% … %+.2f%%" % (pair[0], pair[1], statistics.median(values) * 100, min(values) * 100, max(values) * 100))
print("all %d predictions: median |error| %.2f%%, within 5%%: %d" % (len(errors), statistics.median(abs(e) for e in errors) * 100,
      sum(1 for e in errors if abs(e) <= 0.05)))
PY
