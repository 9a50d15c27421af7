#!/bin/sh
# Synthesized schedules against the handcrafted families and the makespan lower bound (issue 15):
# builds tune-quality in release and prints the table, the summary and the misses.
set -e
cd "$(dirname "$0")/../.."
swift build -c release --product tune-quality
"$(swift build -c release --show-bin-path)/tune-quality"
