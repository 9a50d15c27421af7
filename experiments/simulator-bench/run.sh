#!/usr/bin/env bash
# Simulator speed and memory (issue 3): builds simulator-bench in release and runs the two reference
# configurations, each in its own process (peak RSS is per process). Goal: ≥ 10 M actions/s and
# ≤ 64 bytes of peak resident memory per action.
#
# Each run prints two rates: "dependencies + simulate" (what Simulator.run(schedule, validate: false)
# costs: building the Dependencies graph, then the event loop) and "simulate alone" (the event loop on
# a prebuilt graph), both on wall-clock and thread CPU time (the CPU figure is immune to other
# processes sharing the cores). Memory is the process's peak resident set (VmHWM) per action, and the
# same above the resident set at start — about 9 MiB that any Swift process holds before doing
# anything (a hello-world holds 7 MiB), which dominates small runs.
#
#   experiments/simulator-bench/run.sh [--scratch-path DIR]   (default: .build-sim)
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch="${2:-.build-sim}"
[ "${1:-}" = "--scratch-path" ] || scratch=".build-sim"
swift build -c release --scratch-path "$scratch" --product simulator-bench >/dev/null
bin="$scratch/release/simulator-bench"
"$bin" 1f1b 64 4096 1 5
"$bin" interleaved 64 512 2 5
# Larger runs of the same families, where fixed process memory weighs less per action.
"$bin" 1f1b 64 16384 1 3
"$bin" interleaved 64 4096 2 3
