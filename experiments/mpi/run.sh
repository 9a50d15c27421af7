#!/usr/bin/env bash
# Step time of the MPI backend against the threaded one and against PyTorch pipelining, side by side:
# 1F1B, p = 2, m = 8, an MLP of 8 × 1024, batch 256, on this machine. ROUNDS rounds, each running the
# three in turn (threads, mpi, PyTorch) in fresh processes, so a slow phase of the machine falls on all;
# per round the median step time of 20 iterations (stagecraft: of the kept ones; PyTorch: between barriers,
# no profiler, ranks pinned to cores like Stagecraft's devices, tcmalloc where installed), then the medians of the rounds' ratios.
#
#   experiments/mpi/run.sh [ROUNDS]          (default 5; the PyTorch column needs torch, else it is skipped)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
rounds=${1:-5}
swift build -c release --product stagecraft >/dev/null
bin=.build/release/stagecraft
have_torch=$(python3 -c 'import torch; print(1)' 2>/dev/null || echo 0)
config=(--schedule 1f1b --devices 2 --microbatches 8 --layers 8 --hidden 1024 --batch 256 --iterations 20 --no-record --json)
step() {  # median step time (ms) of the kept iterations of `stagecraft run … --json`
    python3 -c 'import json,sys,statistics; d=json.load(sys.stdin); print("%.3f" % (statistics.median(i["step_time_ns"] for i in d["iterations"] if i["kept"]) / 1e6))'
}
printf '%-6s %12s %12s %12s %10s %10s\n' round threads mpi pytorch mpi/thr mpi/torch
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq 1 "$rounds"); do
    threads=$("$bin" run "${config[@]}" | step)
    mpi=$("$bin" run "${config[@]}" --backend mpi | step)
    torch=-
    if [ "$have_torch" = 1 ]; then
        torch=$(python3 experiments/pytorch/make_traces.py --schedule 1F1B-runtime --ranks 2 --microbatches 8 --layers 8 --hidden 1024 \
                  --batch 256 --warmup 3 --steps 20 --time-only --out /tmp 2>/dev/null | sed -n 's/^step times ms: median \([0-9.]*\).*/\1/p')
    fi
    python3 - "$round" "$threads" "$mpi" "$torch" "$results" <<'PY'
import sys
r, threads, mpi, torch, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
ratio_torch = f"{mpi / float(torch):.3f}" if torch != "-" else "-"
print(f"{r:6} {threads:9.3f} ms {mpi:9.3f} ms {torch + (' ms' if torch != '-' else ''):>12} {mpi / threads:10.3f} {ratio_torch:>10}")
open(out, "a").write(f"{mpi / threads} {ratio_torch}\n")
PY
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
thr = sorted(float(a) for a, _ in rows)
print(f"mpi / threads: median {statistics.median(thr):.3f} (range {thr[0]:.3f}–{thr[-1]:.3f})")
torch = sorted(float(b) for _, b in rows if b != "-")
if torch:
    print(f"mpi / pytorch: median {statistics.median(torch):.3f} (range {torch[0]:.3f}–{torch[-1]:.3f})")
PY
