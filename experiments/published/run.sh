#!/usr/bin/env bash
# Builds stagecraft in release mode and prints published pipeline results next to its predictions
# (experiments/published/run.py; sources in SOURCES.md, numbers in published.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release --product stagecraft >/dev/null
python3 experiments/published/run.py .build/release/stagecraft
