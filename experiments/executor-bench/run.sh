#!/usr/bin/env bash
# Executor benchmark (release build): sgemm efficiency inside the executor, per-action overhead, and the
# step time of 8 × 1024, batch 256, 1F1B, p = 2, m = 8 next to the ideal. Records the pipelined run in
# the database given as the first argument (default: experiments/executor-bench/results.db).
set -euo pipefail
cd "$(dirname "$0")/../.."
DB="${1:-experiments/executor-bench/results.db}"
SCRATCH="${SCRATCH:-.build-exec}"
swift build -c release --scratch-path "$SCRATCH" --product executor-bench >&2
"$SCRATCH/release/executor-bench" --db "$DB" --iterations "${ITERATIONS:-6}"
