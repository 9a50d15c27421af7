#!/usr/bin/env bash
# Measured baseline cases against the machine's noise: saves a baseline of measured cases (the threaded
# executor, `stagecraft run`'s protocol, fresh processes taking turns: 10 runs per case) and checks it
# CHECKS times on the unchanged tree, each check running every case 5 times, and up to 15 more for a case
# that looks regressed. Prints each check's exit status, seconds, and the changes of the fastest runs;
# goal: no check fails (exit 1) although nothing changed. Then a baseline whose saved makespans are 25%
# faster than the machine runs must fail, to show the check can fail at all.
#
#   experiments/baseline/noise.sh [CHECKS]     (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
checks=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --product stagecraft >/dev/null
bin=$PWD/.build/release/stagecraft
cat >"$work/cases.json" <<'JSON'
{"format": "stagecraft-baseline/1", "name": "measured", "cases": [
  {"name": "1f1b p2 m8 8x512", "schedule": "1f1b", "devices": 2, "microbatches": 8, "measured": {"layers": 8, "hidden": 512, "batch": 128}},
  {"name": "zb-h1 p2 m8 8x512", "schedule": "zb-h1", "devices": 2, "microbatches": 8, "measured": {"layers": 8, "hidden": 512, "batch": 128}},
  {"name": "interleaved v2 p2 m8 8x1024", "schedule": "interleaved", "chunks": 2, "devices": 2, "microbatches": 8, "measured": {"layers": 8, "hidden": 1024, "batch": 256}}
]}
JSON
(cd "$work" && "$bin" baseline save measured --cases cases.json --no-record >/dev/null)
python3 - "$work/measured.baseline.json" <<'PY'
import json, sys
for case in json.load(open(sys.argv[1]))["cases"]:
    r = case["results"]
    print(f"saved {case['name']}: fastest of {r['runs']} runs {r['makespan_ns'] / 1e6:.3f} ms (quartiles {r['makespan_q1_ns'] / 1e6:.3f}–{r['makespan_q3_ns'] / 1e6:.3f}), bubble {100 * r['bubble_ratio']:.1f}%")
PY
failed=0
for i in $(seq 1 "$checks"); do
    set +e
    started=$(date +%s)
    out=$(cd "$work" && "$bin" baseline check measured.baseline.json --all)
    status=$?
    set -e
    [ $status -ne 0 ] && failed=$((failed + 1))
    echo "check $i: exit $status in $(( $(date +%s) - started )) s; fastest-run change per case: $(echo "$out" | grep makespan_ns | grep -o '([+-][0-9.]*%).*runs' | sed 's/pass (allowed [^;]*; fastest of/of/' | tr '\n' ' ')"
done
echo "$failed of $checks checks failed on an unchanged tree (goal: 0)"
python3 - "$work/measured.baseline.json" "$work/fast.baseline.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
for case in data["cases"]:
    for key in ("makespan_ns", "makespan_q1_ns", "makespan_q3_ns"):
        case["results"][key] = int(case["results"][key] * 0.75)
json.dump(data, open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
set +e
(cd "$work" && "$bin" baseline check fast.baseline.json >/dev/null)
echo "a baseline 25% faster than this machine: exit $? (goal: 1)"
