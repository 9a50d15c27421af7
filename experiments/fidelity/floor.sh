#!/usr/bin/env bash
# The noise floor of `run --predict`: for schedules that the calibration itself runs (1f1b, and interleaved
# with --chunks 2), the calibration measures the very schedule the run then measures, in alternating turns
# of one process. The cost model is fitted to reproduce the calibration's measurement, so a prediction can
# be no closer to the run than the two measurements of one schedule are to each other. Per cell: the
# calibration's median makespan of the schedule, the run's (kept iterations), their difference, and the
# prediction's makespan error.
#
#   experiments/fidelity/floor.sh [BIN]      (cells: SCHEDULES "1f1b interleaved" × WIDTHS "256 512" ×
#                                              ROWS "8 16 32" × MS "8"; p = 2, 8 layers)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
bin=${1:-}
if [ -z "$bin" ]; then swift build -c release --product stagecraft >/dev/null; bin=.build/release/stagecraft; fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-12s %5s %5s %3s %17s %17s %10s %10s\n' schedule width rows m "calibration" "run" "cal − run" "pred error"
for s in ${SCHEDULES:-1f1b interleaved}; do
    chunks=1; [ "$s" = interleaved ] && chunks=2
    for h in ${WIDTHS:-256 512}; do for rows in ${ROWS:-8 16 32}; do for m in ${MS:-8}; do
        "$bin" run --predict --schedule "$s" --devices 2 --microbatches "$m" --chunks "$chunks" --layers 8 --hidden "$h" \
            --batch $((rows * m)) --no-record --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
check = next(c for c in d["calibration"]["self_check"] if c["schedule"] == sys.argv[1])
cal, run = check["measured_makespan_ns"]["median"], d["comparison"]["measured_spread"]["makespan_ns"]["median"]
error = d["comparison"]["makespan_error"]
print("%-12s %5s %5s %3s %14.3f ms %14.3f ms %+9.2f%% %+9.2f%%" % (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], cal / 1e6, run / 1e6,
      100 * (cal / run - 1), 100 * error))
open(sys.argv[5], "a").write("%f %f\n" % (cal / run - 1, error))' "$s" "$h" "$rows" "$m" "$results"
    done; done; done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
gap = [abs(a) for a, _ in rows]; err = [abs(b) for _, b in rows]; off = [abs(b - a) for a, b in rows]
print(f"{len(rows)} cells: |calibration − run| median {100 * statistics.median(gap):.2f}% (max {100 * max(gap):.2f}%); "
      f"|prediction error| median {100 * statistics.median(err):.2f}% (max {100 * max(err):.2f}%); "
      f"|error − (calibration − run)| median {100 * statistics.median(off):.2f}%")
PY
