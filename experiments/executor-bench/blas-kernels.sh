#!/usr/bin/env bash
# Which OpenBLAS kernel set the executor should compute with on this CPU: the step time of 1F1B, p = 2,
# m = 8, an MLP of 8 × 1024, batch 256 (`stagecraft run`, 20 iterations, median of the kept ones), with
# the kernels OpenBLAS picks by itself and with each kernel set named, in turn, ROUNDS rounds of fresh
# processes. `stagecraft run` uses the Haswell kernels on AMD CPUs where OpenBLAS picks AVX-512 ones
# (`BLASKernel`); OPENBLAS_CORETYPE set by the user overrides that.
#
#   experiments/executor-bench/blas-kernels.sh [ROUNDS] [KERNEL…]     (default 5 rounds; Haswell Zen)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
rounds=${1:-5}
shift || true
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(Haswell Zen)
swift build -c release --product stagecraft >/dev/null
bin=.build/release/stagecraft
own=$(python3 -c 'import ctypes; l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())')
kernels=("$own" "${extra[@]}")
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs); OpenBLAS picks $own by itself"
step() {
    python3 -c 'import json,sys,statistics; d=json.load(sys.stdin); print("%.3f" % (statistics.median(i["step_time_ns"] for i in d["iterations"] if i["kept"]) / 1e6))'
}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-6s' round; for k in "${kernels[@]}"; do printf '%14s' "$k"; done; echo
for round in $(seq 1 "$rounds"); do
    printf '%-6s' "$round"
    for k in "${kernels[@]}"; do
        ms=$(OPENBLAS_CORETYPE=$k "$bin" run --schedule 1f1b --devices 2 --microbatches 8 --layers 8 --hidden 1024 --batch 256 \
               --iterations 20 --no-record --json | step)
        printf '%11s ms' "$ms"
        echo "$round $k $ms" >>"$results"
    done
    echo
done
python3 - "$results" "$own" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
own = sys.argv[2]
base = {r: float(ms) for r, k, ms in rows if k == own}
for kernel in dict.fromkeys(k for _, k, _ in rows):
    if kernel == own:
        continue
    ratios = sorted(float(ms) / base[r] for r, k, ms in rows if k == kernel)
    print(f"{kernel} / {own}: median {statistics.median(ratios):.3f} (range {ratios[0]:.3f}–{ratios[-1]:.3f}) over {len(ratios)} rounds")
PY
