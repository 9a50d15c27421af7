#!/usr/bin/env bash
# Fidelity of `stagecraft run --predict` as a user types it (release build): every cell of
# {gpipe, 1f1b, interleaved v=2, chimera, zb-h1, zb-v} × width {256, 512, 1024} × rows per micro-batch
# {8, 16, 32, 64} × m {4, 8, 16}, p = 2, an 8-layer MLP, batch = rows × m, is one process of
#   stagecraft run --predict --schedule S --devices 2 --microbatches M --chunks V --layers 8 --hidden H --batch B
# (self-calibrating, default iterations), with no retries and no best-of-N: a disturbed cell counts as
# it came out. Prints every cell (error, measured spread, whether the error is inside it) and the summary
# against the goals, and rewrites README.md's fidelity section between its markers (full matrix only).
#
#   experiments/fidelity/run.sh [--quick] [DB]
#
# --quick: widths {256, 512}, rows {16, 32}, m = 8 (24 cells, about a minute); the full matrix is 216
# cells (about 20 minutes on the 2-core machine). Everything goes into DB (default
# experiments/fidelity/results.db, replaced at the start).
set -euo pipefail
cd "$(dirname "$0")/../.."
QUICK=0
if [ "${1:-}" = --quick ]; then QUICK=1; shift; fi
DB="${1:-experiments/fidelity/results.db}"
SCRATCH="${SCRATCH:-.build}"
swift build -c release --scratch-path "$SCRATCH" --product stagecraft >&2
BIN="$SCRATCH/release/stagecraft"
rm -f "$DB" "$DB-wal" "$DB-shm"

if [ $QUICK = 1 ]; then WIDTHS="256 512"; ROWS="16 32"; MS="8"; else WIDTHS="256 512 1024"; ROWS="8 16 32 64"; MS="4 8 16"; fi
SCHEDULES="gpipe 1f1b interleaved chimera zb-h1 zb-v"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load average before: $LOAD_BEFORE; $(nproc) cores; 2 devices (devices ≤ cores)"
start=$(date +%s)
for schedule in $SCHEDULES; do
    chunks=1
    case $schedule in interleaved|zb-v) chunks=2 ;; esac
    for hidden in $WIDTHS; do
        for rows in $ROWS; do
            for m in $MS; do
                if ! "$BIN" run --predict --schedule "$schedule" --devices 2 --microbatches "$m" --chunks "$chunks" --layers 8 \
                        --hidden "$hidden" --batch $((rows * m)) --db "$DB" > /dev/null 2> >(grep -v '^\[' >&2); then
                    echo "cell $schedule h=$hidden rows=$rows m=$m FAILED (counted as a miss)" >&2
                fi
            done
        done
        echo "  $schedule h=$hidden done ($(( $(date +%s) - start )) s)" >&2
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(( $(date +%s) - start ))
echo "load average after: $LOAD_AFTER (the cells' own 2 threads included); $ELAPSED s"

CELLS="
SELECT r.schedule AS schedule, json_extract(r.config, '$.hidden') AS width, json_extract(r.config, '$.microbatchRows') AS rows,
       r.microbatches AS m,
       printf('%.3f', c.predicted_makespan_ns / 1e6) AS pred_ms,
       printf('%.3f', ms.makespan_median_ns / 1e6) AS meas_ms,
       printf('±%.1f%%', 50.0 * (ms.makespan_q3_ns - ms.makespan_q1_ns) / ms.makespan_median_ns) AS meas_iqr,
       printf('%+.2f%%', 100 * c.makespan_error) AS error,
       CASE c.makespan_within_noise WHEN 1 THEN 'yes' ELSE 'no' END AS in_noise,
       printf('%+.2f', 100 * c.worst_device_bubble_error) AS worst_bubble_pt,
       printf('%.2f%%', 100.0 * c.start_error_median_ns / c.measured_makespan_ns) AS start_err,
       printf('%.0f%%', 100 * c.start_within_noise) AS starts_in_noise
FROM comparisons c JOIN runs r ON r.id = c.measured_run_id JOIN measurements ms ON ms.run_id = r.id
ORDER BY c.id"
TABLE=$("$BIN" query --db "$DB" "$CELLS")
echo "$TABLE"

SUMMARY=$("$BIN" query --db "$DB" --csv "
SELECT abs(c.makespan_error) AS a, abs(c.worst_device_bubble_error) AS b, 1.0 * c.start_error_median_ns / c.measured_makespan_ns AS s,
       c.makespan_within_noise AS n, r.schedule || ' h=' || json_extract(r.config, '$.hidden') || ' rows=' || json_extract(r.config, '$.microbatchRows')
       || ' m=' || r.microbatches AS cell, 50.0 * (ms.makespan_q3_ns - ms.makespan_q1_ns) / ms.makespan_median_ns AS iqr, 100 * c.makespan_error AS e
FROM comparisons c JOIN runs r ON r.id = c.measured_run_id JOIN measurements ms ON ms.run_id = r.id" | tail -n +2 | grep . | awk -F, '
    { n++; ms[n] = $1; bub[n] = $2; st[n] = $3; if ($2 <= 0.02) okb++; if ($3 <= 0.02) oks++; if ($4 == 1) noise++
      iqr[n] = $6; if ($1 > 0.05) miss = miss sprintf("\n- %s: makespan error %+.2f%% (measured IQR ±%.1f%%)", $5, $7, $6) }
    function median(a, n,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
        return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
    function maximum(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
    END {
        printf "%d cells: |makespan error| median %.2f%% (goal ≤ 2%%), worst %.2f%% (goal ≤ 5%%); ", n, 100 * median(ms, n), 100 * maximum(ms, n)
        printf "per-device bubble within 2 pt in %.0f%% of cells (goal ≥ 90%%); median per-action start error ≤ 2%% of the makespan in %.0f%% of cells (goal ≥ 90%%); ", 100 * okb / n, 100 * oks / n
        printf "prediction inside the measured quartiles in %.0f%% of cells; measured IQR median ±%.1f%%, widest ±%.1f%%", 100 * noise / n, median(iqr, n), maximum(iqr, n)
        if (miss != "") printf "\n\nCells with |makespan error| > 5%%:%s", miss
        printf "\n"
    }')
echo
echo "$SUMMARY"

if [ $QUICK = 0 ]; then
    section=$(mktemp)
    {
        echo "<!-- fidelity:begin (written by experiments/fidelity/run.sh; do not edit by hand) -->"
        echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)) in $ELAPSED s;"
        echo "load average $LOAD_BEFORE before, $LOAD_AFTER after (the cells' own 2 threads included);"
        echo "command: \`experiments/fidelity/run.sh\` — every cell one plain \`stagecraft run --predict\` process, no retries."
        echo
        echo "$SUMMARY"
        echo
        echo "<details><summary>All cells</summary>"
        echo
        echo '```'
        echo "$TABLE"
        echo '```'
        echo
        echo "</details>"
        echo "<!-- fidelity:end -->"
    } > "$section"
    awk -v file="$section" '
        /<!-- fidelity:begin/ { while ((getline line < file) > 0) print line; skip = 1; next }
        /<!-- fidelity:end -->/ { skip = 0; next }
        !skip { print }' README.md > README.md.new && mv README.md.new README.md
    rm -f "$section"
    echo "README.md's fidelity section rewritten"
fi
