#!/usr/bin/env bash
# Store bulk-insert benchmark: EVENTS events (default 2 M) through RunStore.completeRun, and in the same
# run through a plain C loop of sqlite3_bind / sqlite3_step on an identical events table (same schema,
# same connection settings, same rows, one transaction). Each side runs REPEATS times (default 3),
# alternating, each on a fresh database; the best rate of each is compared. Goal: Store ≥ 0.8 × plain.
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

best_store=0 best_plain=0
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
for i in $(seq 1 "$repeats"); do
    read -r _ n seconds < <("$bench" store "$work/store-$i.db" "$events")
    store_rate=$(rate "$n" "$seconds")
    run_id=$("$bench" prepare "$work/plain-$i.db")
    read -r _ n seconds < <("$work/plain_loop" "$work/plain-$i.db" "$run_id" "$events")
    plain_rate=$(rate "$n" "$seconds")
    printf 'repeat %d: store %12s events/s   plain C %12s events/s\n' "$i" "$store_rate" "$plain_rate"
    (( store_rate > best_store )) && best_store=$store_rate
    (( plain_rate > best_plain )) && best_plain=$plain_rate
    rm -f "$work"/*.db "$work"/*.db-wal "$work"/*.db-shm
done
echo
echo "events per run:          $events"
echo "Store (RunStore):        $best_store events/s (best of $repeats)"
echo "plain C bind/step loop:  $best_plain events/s (best of $repeats)"
awk -v a="$best_store" -v b="$best_plain" 'BEGIN { r = a / b; printf "ratio Store / plain:     %.2f  (goal >= 0.80: %s)\n", r, (r >= 0.8 ? "met" : "NOT met") }'
