#!/usr/bin/env bash
# The whole `stagecraft simulate` command, recording included, against PyTorch's own way to a simulated
# schedule (build ScheduleInterleaved1F1B's order, lower it with send/recv, _simulate_comms_compute) on
# interleaved 1F1B, p = 64, m = 512, v = 2 (131,072 compute actions). Stagecraft: RUNS fresh processes
# each, into a new database (created by the run), into an existing one, and without recording; wall time
# of the process as a user sees it. PyTorch: PT_RUNS processes (torch CPU from pip; without it the column
# is skipped: pip install /opt/wheels/torch-*+cpu-*.whl, or torch from pypi).
#
#   experiments/simulator-bench/vs-pytorch.sh [RUNS] [PT_RUNS]      (default 10 and 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
runs=${1:-10}
pt_runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --product stagecraft >/dev/null
bin=$PWD/.build/release/stagecraft
python3 - "$bin" "$work" "$runs" "$pt_runs" "$PWD/experiments/simulator-bench/pytorch_simulate.py" <<'PY'
import os, statistics, subprocess, sys, time
binary, work, runs, pt_runs, pt_script = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
schedule = ["simulate", "--schedule", "interleaved", "--devices", "64", "--microbatches", "512", "--chunks", "2"]

def timed(arguments):
    start = time.perf_counter()
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start

def spread(values):
    values = sorted(values)
    return statistics.median(values), values[0], values[-1]

rows = {}
existing = os.path.join(work, "existing.db")
timed([binary] + schedule + ["--db", existing])
rows["new database"], rows["existing database"], rows["no recording"] = [], [], []
for i in range(runs):
    fresh = os.path.join(work, f"fresh-{i}.db")
    rows["new database"].append(timed([binary] + schedule + ["--db", fresh]))
    rows["existing database"].append(timed([binary] + schedule + ["--db", existing]))
    rows["no recording"].append(timed([binary] + schedule + ["--no-record"]))
pt_times = []
try:
    import torch  # noqa: F401
    for _ in range(pt_runs):
        out = subprocess.run([sys.executable, pt_script, "64", "512", "2"], check=True, capture_output=True, text=True).stdout
        pt_times.append(float(out.split("total ")[1].split(" s")[0]))
        print("pytorch:", out.strip())
except ImportError:
    print("torch is not installed: PyTorch column skipped (pip install torch, CPU build)")
pt = statistics.median(pt_times) if pt_times else None
print(f"{'stagecraft simulate':24} {'median':>9} {'min':>9} {'max':>9} {'PyTorch / median':>17} {'PyTorch / slowest':>18}")
for name, values in rows.items():
    median, low, high = spread(values)
    ratios = f"{pt / median:17.1f} {pt / high:18.1f}" if pt else ""
    print(f"{name:24} {median:8.3f}s {low:8.3f}s {high:8.3f}s {ratios}")
if pt:
    low, high = min(pt_times), max(pt_times)
    print(f"PyTorch build + lower + simulate: median {pt:.2f} s (range {low:.2f}–{high:.2f} s) over {len(pt_times)} processes")
PY
