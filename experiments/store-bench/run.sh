#!/usr/bin/env bash
# Store bulk-insert benchmark: EVENTS events (default 2 M) through RunStore.completeRun, and in the same
# run through a plain C loop of sqlite3_bind / sqlite3_step on an identical events table (same schema,
# same connection settings, same rows, one transaction, 256 rows per INSERT as the Store writes them; the
# same loop one row per INSERT is shown too). Each side runs REPEATS times (default 3),
# alternating, each on a fresh database; the medians and each repeat's ratio are reported. Goal: Store ≥ 0.8 × plain.
#
#   experiments/store-bench/run.sh [EVENTS] [REPEATS]
#
# Builds in release mode into .build-store (override with SCRATCH=...), writes the databases under a
# temporary directory (override with WORKDIR=...), removes them at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
events="${1:-2000000}"
repeats="${2:-3}"
scratch="${SCRATCH:-.build-store}"
work="${WORKDIR:-$(mktemp -d)}"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

swift build -c release --scratch-path "$scratch" --product store-bench >&2
bench="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/store-bench"
cc -O2 -o "$work/plain_loop" experiments/store-bench/plain_loop.c -lsqlite3

rates=()
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
for i in $(seq 1 "$repeats"); do
    read -r _ n seconds < <("$bench" store "$work/store-$i.db" "$events")
    store_rate=$(rate "$n" "$seconds")
    run_id=$("$bench" prepare "$work/plain-$i.db")
    read -r _ n seconds < <("$work/plain_loop" "$work/plain-$i.db" "$run_id" "$events" 256)
    plain_rate=$(rate "$n" "$seconds")
    run_id=$("$bench" prepare "$work/single-$i.db")
    read -r _ n seconds < <("$work/plain_loop" "$work/single-$i.db" "$run_id" "$events" 1)
    single_rate=$(rate "$n" "$seconds")
    printf 'repeat %d: store %12s events/s   plain C %12s events/s   plain C one row per INSERT %12s events/s\n' "$i" "$store_rate" "$plain_rate" "$single_rate"
    rates+=("$store_rate $plain_rate $single_rate")
    rm -f "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm
done
echo
echo "events per run:          $events"
# Every repeat counts: medians, and the ratio of each repeat's pair (they ran back to back).
printf '%s\n' "${rates[@]}" | python3 -c '
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin if line.strip()]
store, plain, single = [p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs]
ratios = sorted(p[0] / p[1] for p in pairs)
print(f"Store (RunStore):        median {statistics.median(store):,.0f} events/s (range {min(store):,.0f}–{max(store):,.0f})")
print(f"plain C bind/step loop:  median {statistics.median(plain):,.0f} events/s (range {min(plain):,.0f}–{max(plain):,.0f})")
print(f"  one row per INSERT:     median {statistics.median(single):,.0f} events/s (range {min(single):,.0f}–{max(single):,.0f})")
r = statistics.median(ratios)
verdict = "met" if r >= 0.8 else "NOT met"
print(f"ratio Store / plain:     median {r:.2f} (range {ratios[0]:.2f}–{ratios[-1]:.2f}; goal >= 0.80: {verdict})")'
