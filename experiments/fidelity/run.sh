#!/usr/bin/env bash
# Fidelity of the simulator against the threaded executor (release build). One calibration — 2 devices,
# interleaved v = 2, i.e. 4 virtual stages of 2 layers, merged two at a time for the 2-stage schedules —
# then every cell of {gpipe, 1f1b, interleaved v=2, chimera, zb-h1, zb-v} × m ∈ {4, 8, 16}, p = 2 is predicted from it
# and executed ITERATIONS times (default 15) with `stagecraft run --predict --cost-model`; the iteration of
# median makespan is compared. Everything (calibration, predictions, measurements, comparisons) goes into
# the database given as the first argument (default: experiments/fidelity/results.db); the table is
# printed at the end. The model: MLP 8 layers × 512, 32 rows per micro-batch (batch = 32·m).
# Measure on an idle machine: the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/../.."
DB="${1:-experiments/fidelity/results.db}"
SCRATCH="${SCRATCH:-.build-fid}"
ITERATIONS="${ITERATIONS:-15}"
LAYERS=8 HIDDEN=512 ROWS=32
OUT="$(dirname "$DB")/fidelity-out"
mkdir -p "$OUT"
swift build -c release --scratch-path "$SCRATCH" --product stagecraft >&2
BIN="$SCRATCH/release/stagecraft"

# Waits (up to MAX_WAIT seconds, default 600) until other processes use under 10% of the CPUs over one
# second, so that no cell is measured while something else computes; prints what it saw.
cpu_busy() {  # percent of CPU time not idle over one second
    local a b
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
wait_idle() {
    local waited=0 busy
    while busy=$(cpu_busy); [ "$busy" -ge 10 ] && [ $waited -lt "${MAX_WAIT:-600}" ]; do waited=$((waited + 5)); sleep 4; done
    [ $waited -gt 0 ] && echo "  (waited ${waited}s for other processes; CPU busy ${busy}% when starting)" >&2
    return 0
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
wait_idle
"$BIN" calibrate --layers $LAYERS --hidden $HIDDEN --batch $((ROWS * 8)) --microbatches 8 --devices 2 --chunks 2 \
    --warmup 3 --repetitions 10 --out "$OUT/cost-model.json" --db "$DB"
FIRST=$("$BIN" query --db "$DB" --csv "SELECT coalesce(max(id), 0) FROM comparisons" | tail -1)

for schedule in gpipe 1f1b interleaved chimera zb-h1 zb-v; do
    chunks=1
    [ "$schedule" = interleaved ] && chunks=2
    [ "$schedule" = zb-v ] && chunks=2  # the V shape: 4 stages of 2 layers, the calibration's own split
    for m in 4 8 16; do
        wait_idle
        "$BIN" run --schedule "$schedule" --devices 2 --microbatches "$m" --chunks "$chunks" --layers $LAYERS --hidden $HIDDEN \
            --batch $((ROWS * m)) --iterations "$ITERATIONS" --predict --cost-model "$OUT/cost-model.json" --db "$DB" \
            > "$OUT/$schedule-m$m.txt"
        grep -E "^makespan" "$OUT/$schedule-m$m.txt" | sed "s/^/$schedule m=$m: /"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$BIN" query --db "$DB" "
SELECT r.schedule, r.microbatches AS m,
       printf('%.2f', c.predicted_makespan_ns / 1e6) AS pred_ms, printf('%.2f', c.measured_makespan_ns / 1e6) AS meas_ms,
       printf('%+.2f%%', 100 * c.makespan_error) AS makespan_err,
       printf('%.1f%%', 100 * p.bubble_ratio) AS bubble_pred, printf('%.1f%%', 100 * r.bubble_ratio) AS bubble_meas,
       printf('%+.2f', 100 * c.worst_device_bubble_error) AS worst_device_bubble_pt,
       printf('%.2f%%', 100.0 * c.start_error_median_ns / c.measured_makespan_ns) AS start_err_median,
       printf('%.2f%%', 100.0 * c.start_error_p90_ns / c.measured_makespan_ns) AS start_err_p90,
       printf('%.2f%%', 100.0 * c.start_error_max_ns / c.measured_makespan_ns) AS start_err_max
FROM comparisons c JOIN runs r ON r.id = c.measured_run_id JOIN runs p ON p.id = c.predicted_run_id
WHERE c.id > $FIRST ORDER BY c.id"

# Medians and maxima over the cells (SQLite has no median: sorted here).
"$BIN" query --db "$DB" --csv "SELECT abs(makespan_error), abs(worst_device_bubble_error), 1.0 * start_error_median_ns / measured_makespan_ns
                                FROM comparisons WHERE id > $FIRST" | tail -n +2 | awk -F, '
    { ms[NR] = $1; bub[NR] = $2; st[NR] = $3 }
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                         return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function maximum(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
    END {
        printf "\n%d cells: |makespan error| median %.2f%% (goal ≤ 2%%), max %.2f%% (goal ≤ 5%%); ", NR, 100 * median(ms, NR), 100 * maximum(ms, NR)
        printf "worst per-device bubble error %.2f pt (goal ≤ 2); median per-action start error %.2f%% of the makespan, worst cell %.2f%% (goal ≤ 2%%)\n",
            100 * maximum(bub, NR), 100 * median(st, NR), 100 * maximum(st, NR)
    }'
