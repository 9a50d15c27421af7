#!/usr/bin/env bash
# stagecraft tune, measured: (1) how many candidates it simulates per second for p = 8 (fresh processes,
# median, quartiles and range); (2) for p = 2 on the threaded executor, whether the schedule tune picks from a
# calibration — a synthesized one included — is the fastest measured among the families, or within the
# measured spread of the fastest. Every family and the synthesized schedule run ROUNDS times in turn, in
# fresh processes, with exactly what a user types.
#
#   experiments/tune/run.sh [ROUNDS] [HIDDEN] [BATCH] [MEASURE]   (default 3 rounds, MLP 8 × 512, batch 128, 4)
#
# The cost model is `calibrate --chunks 2` (4 stages), merged for the one-stage-per-device families. Tune's
# pick is what `tune --measure MEASURE` chooses of its MEASURE best predicted: the fastest measured, or the
# best predicted of those it cannot tell from the fastest (0: the predicted choice, no --measure).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hidden=${2:-512}
batch=${3:-128}
measure=${4:-4}
db=$work/tune.db
swift build -c release --product stagecraft >/dev/null
bin=$PWD/.build/release/stagecraft

echo "== 1. candidates per second, p = 8, every family, chunks 2,4, recompute both (30 processes each)"
costs=(--forward 1ms --backward 2ms --activation-bytes 1GB --weight-bytes 2GB --checkpoint-bytes 100MB)
for ms in 1,2,4,8,16,32,64 8,16,32,64; do
    for i in $(seq 1 30); do
        "$bin" tune --devices 8 --microbatches $ms --recompute both "${costs[@]}" --no-record --json
    done | python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
rates = sorted(r["candidates_per_second"] for r in runs)
q1, _, q3 = statistics.quantiles(rates, n=4)
print("m in {%s}: %d candidates; median %s per second, quartiles %s to %s, range %s to %s" % (sys.argv[1], runs[0]["evaluated"],
      *(format(v, ",.0f") for v in (statistics.median(rates), q1, q3, rates[0], rates[-1]))))' "$ms"
done

echo
echo "== 2. p = 2, MLP 8 × $hidden, batch $batch, m = 8: tune's pick against every family, measured"
model=(--layers 8 --hidden "$hidden" --batch "$batch")
"$bin" calibrate --devices 2 --chunks 2 --microbatches 8 "${model[@]}" -o "$work/cost.json" --db "$db" >/dev/null
measuring=()
if [ "$measure" -gt 0 ]; then measuring=(--measure "$measure" --layers 8 --hidden "$hidden" --rows $((batch / 8))); fi
"$bin" tune --devices 2 --microbatches 8 --chunks 2 --recompute no --synthesize --cost-model "$work/cost.json" --top 100 "${measuring[@]}" \
    --json --db "$db" >"$work/tune.json"
python3 - "$work/tune.json" "$db" "$work/synth.csv" <<'PY'
import json, sqlite3, sys
tune = json.load(open(sys.argv[1]))
row = sqlite3.connect(sys.argv[2]).execute(
    "SELECT schedule_csv FROM tune_candidates WHERE tune_id = ? AND schedule = 'synth'", (tune["tune_id"],)).fetchone()
open(sys.argv[3], "w").write(row[0])
PY
cases=("gpipe" "1f1b" "interleaved --chunks 2" "looped-bfs --chunks 2" "chimera" "zb-h1" "zb-h2" "zb-v" "dualpipev" "synth")
for round in $(seq 1 "$rounds"); do
    for case in "${cases[@]}"; do
        if [ "$case" = synth ]; then what=(--file "$work/synth.csv"); else what=(--schedule $case --devices 2 --microbatches 8); fi
        "$bin" run "${what[@]}" "${model[@]}" --iterations 20 --no-record --json \
            | python3 -c '
import json, sys
run = json.load(sys.stdin)
m = run["measurement"]["makespan_ns"]
print(sys.argv[1], m["median"], m["q1"], m["q3"])
kept = [str(i["makespan_ns"]) for i in run["iterations"] if i["kept"]]
open(sys.argv[2], "a").write(sys.argv[1] + " " + " ".join(kept) + "\n")' "${case%% *}" "$work/pooled.txt" >>"$work/measured.txt"
    done
done
python3 - "$work/tune.json" "$work/measured.txt" "$rounds" "$work/pooled.txt" <<'PY'
import json, statistics, sys
tune = json.load(open(sys.argv[1]))
pooled = {}
for line in open(sys.argv[4]):
    name, *values = line.split()
    pooled.setdefault(name, []).extend(float(v) for v in values)
predicted = {}
for entry in tune["ranked"]:
    predicted.setdefault(entry["schedule"], entry)
measured = {}
for line in open(sys.argv[2]):
    name, median, q1, q3 = line.split()
    measured.setdefault(name, []).append((float(median), float(q1), float(q3)))
choice = next(e for e in tune["measured"]["entries"] if e["label"] == tune["measured"]["choice"]) if "measured" in tune else tune["ranked"][0]
pick = choice["schedule"]
# The predicted choice and the candidates within the costs' uncertainty of it: what prediction cannot order.
tied_labels = set(tune.get("tied_with_choice") or []) | {tune["ranked"][0]["label"]}
rows = []
for name, runs in measured.items():
    medians = sorted(r[0] for r in runs)
    rows.append((statistics.median(medians), name, medians, statistics.median(r[1] for r in runs), statistics.median(r[2] for r in runs)))
rows.sort()
fastest = rows[0]
if "measured" in tune:
    how = (f"tune --measure's choice of its {len(tune['measured']['entries'])} best predicted (measured rank {choice['measured_rank']}, "
           f"predicted rank {choice['predicted_rank']}; the predicted choice: {tune['ranked'][0]['label']})")
else:
    how = f"the predicted choice, {tune['ranked'][0]['makespan_ns'] / 1e6:.3f} ms"
print(f"tune's pick: {choice['label']}, {how}; {sys.argv[3]} rounds, 20 iterations each")
if "measured" in tune:
    print("  as tune measured them: " + "; ".join(
        f"{e['label']} {e['measured_step_ns']['median'] / 1e6:.3f} ms ({e['measured_step_ns']['q1'] / 1e6:.3f}–{e['measured_step_ns']['q3'] / 1e6:.3f})"
        for e in tune["measured"]["entries"]) + " (step times, SGD step included)")
print(f"{'schedule':12} {'predicted':>11} {'pred.rank':>9} {'measured':>11} {'quartiles (median run)':>24} {'rounds':>24} {'meas.rank':>9}")
ranks = {e['schedule']: i + 1 for i, e in enumerate(sorted(predicted.values(), key=lambda e: e["makespan_ns"]))}
for rank, (median, name, medians, q1, q3) in enumerate(rows, 1):
    p = predicted.get(name)
    pred = f"{p['makespan_ns'] / 1e6:8.3f} ms" if p else "-"
    mark = "  <- tune's pick" if name == pick else ("  (tied with the predicted choice)" if p and p["label"] in tied_labels else "")
    print(f"{name:12} {pred:>11} {ranks.get(name, '-'):>9} {median / 1e6:8.3f} ms {q1 / 1e6:10.3f}–{q3 / 1e6:.3f} ms "
          f"{medians[0] / 1e6:10.3f}–{medians[-1] / 1e6:.3f} ms {rank:>9}{mark}")
pick_row = next(r for r in rows if r[1] == pick)
# Two spreads of the fastest: the quartiles of its runs' iterations (the median over rounds of each run's
# quartiles: the noise within a process), and the quartiles of all its kept iterations pooled over the
# rounds (which adds the noise between processes, the larger on this machine).
pooled_q1, _, pooled_q3 = statistics.quantiles(pooled[fastest[1]], n=4)
for label, upper in (("within-run quartiles", fastest[4]), ("pooled quartiles over the rounds", pooled_q3)):
    verdict = "the fastest measured" if pick_row is fastest else (
        "within the measured spread of the fastest" if pick_row[0] <= upper else "slower than the fastest beyond its spread")
    print(f"verdict ({label}): {pick} is {verdict} ({fastest[1]}: median {fastest[0] / 1e6:.3f} ms, upper quartile {upper / 1e6:.3f} ms; "
          f"{pick}: {pick_row[0] / 1e6:.3f} ms, {100 * (pick_row[0] / fastest[0] - 1):+.2f}%)")
if tune.get("uncertainty") is not None:
    tied = {e["schedule"] for e in tune["ranked"] if e["label"] in tied_labels}
    print(f"the calibration's uncertainty: ±{100 * tune['uncertainty']:.1f}%; prediction cannot order {len(tied)} schedule(s): the predicted "
          f"choice and those within it of it; the fastest measured ({fastest[1]}) is {'among' if fastest[1] in tied else 'not among'} them")
PY
