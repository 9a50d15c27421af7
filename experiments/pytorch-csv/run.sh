#!/usr/bin/env bash
# Does PyTorch read what `stagecraft schedule export --format csv` writes? For every Stagecraft
# family PyTorch can represent (gpipe, 1f1b, interleaved and looped-bfs with --chunks 2, zb-h1,
# zb-h2, zb-v, dualpipev) at p=4 m=8 and p=2 m=4, export the schedule, then (load_in_pytorch.py)
# load it with the matching torch.distributed.pipelining class's _load_csv(format="compute_only"),
# which validates it and lowers it with communication, and check that PyTorch's placement is the
# class's and its pipeline_order re-dumps to the same cells. Chimera is exported too but skipped:
# its replicas ('@1' suffix) have no PyTorch representation.
#
#   experiments/pytorch-csv/run.sh [STAGECRAFT_BINARY]     (default .build/release/stagecraft)
#
# Prints the torch version and a table family | p | m | result. Exit 0 when every representable
# family loads (or, with no importable torch, after printing how to install it: "skipped").
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/release/stagecraft}"
PY="${PYTHON:-python3}"

if ! TORCH=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null); then
  echo "torch is not importable by $PY; install the CPU build with either of"
  echo "  pip install /opt/wheels/torch-*+cpu-*.whl"
  echo "  pip install torch --index-url https://download.pytorch.org/whl/cpu"
  echo "skipped"
  exit 0
fi
[ -x "$BIN" ] || { echo "no stagecraft binary at $BIN" >&2; exit 2; }
echo "torch $TORCH"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CASES=()
for pm in "4 8" "2 4"; do
  read -r p m <<<"$pm"
  for family in gpipe 1f1b interleaved looped-bfs zb-h1 zb-h2 zb-v dualpipev chimera; do
    chunks=()
    case $family in interleaved|looped-bfs) chunks=(--chunks 2) ;; esac
    file="$TMP/$family-p$p-m$m.csv"
    "$BIN" schedule export --schedule "$family" --devices "$p" --microbatches "$m" "${chunks[@]}" \
      --format csv -o "$file" 2>"$file.err" || rm -f "$file"
    CASES+=("$family" "$p" "$m" "$file")
  done
done
"$PY" experiments/pytorch-csv/load_in_pytorch.py "${CASES[@]}"
