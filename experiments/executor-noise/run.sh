#!/usr/bin/env bash
# How much of a measurement's spread the executor makes itself (release build): the hand-off between
# device threads and the spread of step times, for the binary given (default: this checkout's release
# build), so two versions can be compared side by side:
#
#   experiments/executor-noise/run.sh [BIN]
#
# (a) hand-off: 10 processes of `run --schedule 1f1b --devices 2 --microbatches 8 --layers 8 --hidden 512
#     --batch 128 --iterations 10 --record-iteration last`; for every action that waited for another
#     device (its cross-device predecessor ended after the device's previous action), its start minus that
#     predecessor's end: count, median, p90, max.
# (b) step spread: 5 processes each of gpipe and 1f1b (same model, 30 iterations): per process the median
#     step time and its interquartile range over the median, iterations 4–30.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -ge 1 ]; then BIN=$1; else swift build -c release --product stagecraft >&2; BIN=.build/release/stagecraft; fi
DB=$(mktemp -d)/noise.db
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 10); do
    "$BIN" run --schedule 1f1b --devices 2 --microbatches 8 --layers 8 --hidden 512 --batch 128 --iterations 10 \
        --record-iteration last --db "$DB" > /dev/null 2>&1
done
"$BIN" query --db "$DB" --csv "
    SELECT x.start_ns - y.end_ns AS d FROM events x JOIN events y
      ON x.run_id = y.run_id AND x.microbatch = y.microbatch AND x.op = y.op
     AND ((x.op = 'F' AND x.stage = 1 AND y.stage = 0) OR (x.op = 'B' AND x.stage = 0 AND y.stage = 1))
    WHERE x.start_ns >= y.end_ns
      AND NOT EXISTS (SELECT 1 FROM events z WHERE z.run_id = x.run_id AND z.device = x.device
                                                AND z.end_ns > y.end_ns AND z.end_ns <= x.start_ns)
    ORDER BY d" | tail -n +2 | awk '{ v[NR] = $1 }
    END { printf "(a) hand-offs that waited: %d, median %.1f µs, p90 %.1f µs, max %.1f µs\n", NR, v[int(NR / 2) + 1] / 1000,
          v[int(NR * 0.9)] / 1000, v[NR] / 1000 }'
for schedule in gpipe 1f1b; do
    for r in 1 2 3 4 5; do
        "$BIN" run --schedule $schedule --devices 2 --microbatches 8 --layers 8 --hidden 512 --batch 128 --iterations 30 --no-record 2>/dev/null \
            | grep '^iteration' | tail -n +4 | awk '{ print $6 }' | sort -g | awk -v s=$schedule '{ v[NR] = $1 }
            END { q1 = v[int(NR * 0.25 + 0.5)]; q2 = v[int(NR * 0.5 + 0.5)]; q3 = v[int(NR * 0.75 + 0.5)]
                  printf "(b) %-5s step median %.3f ms, IQR/median %.1f%%\n", s, q2, 100 * (q3 - q1) / q2 }'
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$(dirname "$DB")"
