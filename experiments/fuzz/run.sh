#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer with AddressSanitizer) of the two readers of user files:
#   csv         ScheduleCSV.parse (schedule validate, simulate/run --file); an imported schedule must
#               also survive export and import unchanged and simulate;
#   cost-model  CostModel.decode (--cost-model); a decoded model must survive encoding and decoding
#               unchanged and simulate four small schedules (or be refused) without crashing.
# Both readers run at once (one core each). A crash stops its reader and leaves the input in
# experiments/fuzz/crashes/; replay it with a normal build: .build/debug/schedule-fuzz csv FILE.
#
# usage: experiments/fuzz/run.sh [RUNS]     RUNS inputs per reader (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
runs=${1:-1000000}

swift build -c release --product schedule-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library >/dev/null
fuzzer=.build-fuzz/release/schedule-fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/csv" "$work/cost-model" experiments/fuzz/crashes
# Seeds: files PyTorch wrote, Stagecraft's own quirks, and cost models from tiny to every field.
cp Tests/Fixtures/pytorch/*.csv "$work/csv/"
printf '0F0,0F1,0B0,0B1,0REDUCE_GRAD@1\n1F0,"1B0",1F1,1B1\r\n' > "$work/csv/quirks.csv"
printf '0F0,0R0,0I0,0W0\n' > "$work/csv/recompute.csv"
echo '{"forward": 1000, "backward": 2000}' > "$work/cost-model/minimal.json"
cat > "$work/cost-model/every-field.json" <<'JSON'
{"forward": [1000, 1100], "backward": 2000, "inputGrad": 900, "weightGrad": 1100, "gradSync": 300,
 "optimizerStep": [50, 60], "latency": 20, "bandwidth": 1e9, "transferBytes": 4096, "contention": true,
 "activationBytes": 1024, "gradientBytes": 512, "transientBytes": 64, "checkpointBytes": 128,
 "weightBytes": [4096, 4096], "dispatch": 5, "recompute": 800, "coldStart": 100, "firstAction": [10, 20],
 "workingSet": [{"bytes": 1000, "factor": 1}, {"bytes": 1e6, "factor": 1.5}], "deviceSpeed": [1, 1.1],
 "firstOfOp": {"F": 30, "B": 40}}
JSON

for reader in csv cost-model; do
    STAGECRAFT_FUZZ_TARGET=$reader "$fuzzer" "$work/$reader" -runs="$runs" -max_len=4096 -timeout=10 \
        -dict="experiments/fuzz/$reader.dict" -artifact_prefix="experiments/fuzz/crashes/$reader-" \
        -print_final_stats=1 > "$work/$reader.log" 2>&1 &
done
status=0
wait || status=$?

printf '%-11s %10s %8s %10s %8s %8s\n' reader inputs seconds inputs/s edges crashes
for reader in csv cost-model; do
    log="$work/$reader.log"
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    seconds=${seconds:-?}
    rate=$(( ${executed:-0} / (${seconds/\?/0} > 0 ? ${seconds/\?/0} : 1) ))
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(ls experiments/fuzz/crashes 2>/dev/null | grep -c "^$reader-" || true)
    printf '%-11s %10s %8s %10s %8s %8s\n' "$reader" "${executed:-?}" "$seconds" "${rate:-?}" "${coverage:-?}" "$crashes"
    if grep -q 'ERROR: \|deadly signal\|Fatal error' "$log"; then
        echo "--- $reader crashed:"; grep -A20 'ERROR: \|Fatal error' "$log" | head -40
        status=1
    fi
done
exit $status
