#!/usr/bin/env bash
# Two builds of stagecraft compared on the fidelity goals, cell by cell: each cell runs
#   stagecraft run --predict --schedule S --devices 2 --microbatches M --chunks V --layers 8 --hidden H --batch ROWS·M
# with build A, then at once with build B, so both meet the same phases of the machine (a full matrix run
# of each, minutes apart, does not). Prints per schedule and build: cells, per-action start error ≤ 2% of
# the makespan, per-device bubble within 2 points, mean |makespan error|, mean signed makespan error.
#
#   experiments/fidelity/ab.sh A B [ROUNDS]      (A, B: stagecraft binaries, e.g. one built in a git worktree)
#
# The cells: SCHEDULES (default "chimera interleaved zb-v") × WIDTHS ("256 512") × ROWS ("8 16 32") ×
# MS ("4 8 16"), p = 2; ROUNDS passes over them (default 1). Databases go to a temporary directory.
set -euo pipefail
A=${1:?build A (a stagecraft binary)}; B=${2:?build B (a stagecraft binary)}; rounds=${3:-1}
for bin in "$A" "$B"; do [ -x "$bin" ] || { echo "$bin: not an executable stagecraft" >&2; exit 2; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; 2 devices"
for round in $(seq 1 "$rounds"); do
    for s in ${SCHEDULES:-chimera interleaved zb-v}; do
        chunks=1
        case $s in interleaved|zb-v) chunks=2 ;; esac
        for h in ${WIDTHS:-256 512}; do for rows in ${ROWS:-8 16 32}; do for m in ${MS:-4 8 16}; do
            for which in A B; do
                if [ $which = A ]; then bin=$A; else bin=$B; fi
                "$bin" run --predict --schedule "$s" --devices 2 --microbatches "$m" --chunks "$chunks" --layers 8 --hidden "$h" \
                    --batch $((rows * m)) --db "$work/$which.db" >/dev/null 2>&1 || echo "cell $s h=$h rows=$rows m=$m failed with $which" >&2
            done
        done; done; done
    done
done
printf '%-6s %-12s %6s %16s %16s %12s %12s\n' build schedule cells "starts ≤ 2%" "bubble ≤ 2 pt" "mean |err|" "mean err"
for which in A B; do
    "$B" query --db "$work/$which.db" --csv "
        SELECT r.schedule, count(*), sum(1.0 * c.start_error_median_ns / c.measured_makespan_ns <= 0.02),
               sum(abs(c.worst_device_bubble_error) <= 0.02), avg(abs(100 * c.makespan_error)), avg(100 * c.makespan_error)
        FROM comparisons c JOIN runs r ON r.id = c.measured_run_id GROUP BY 1" | tail -n +2 | tr ',' ' ' |
    while read -r s n st bub abs signed; do
        printf '%-6s %-12s %6d %16s %16s %11.2f%% %+11.2f%%\n' "$which" "$s" "$n" "$st of $n" "$bub of $n" "$abs" "$signed"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
