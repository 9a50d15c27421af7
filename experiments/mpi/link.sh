#!/usr/bin/env bash
# The MPI backend over a slower real link: MPI's TCP transport inside a private network namespace whose
# loopback is limited to RATE by tc's token-bucket filter (this machine's kernel has no netem, so no added
# delay), MTU 1500. Runs GPipe and 1F1B (p = 2, m = 8, 8 × 1024, batch 128: 64 KiB per transfer), reads a
# cost model off each run (`calibrate --from-run`: durations from the run, the link from its ping-pong) and
# predicts the other. Needs root, ip and tc.
#
#   experiments/mpi/link.sh [RATE]        (default 1gbit)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/opt/swift/usr/bin:$PATH
rate=${1:-1gbit}
[ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v tc >/dev/null || { echo "needs root, ip and tc; skipped"; exit 0; }
swift build -c release --product stagecraft >/dev/null
bin=$PWD/.build/release/stagecraft
ns=stagecraft-link-$$
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo mtu 1500 up
ip netns exec "$ns" tc qdisc add dev lo root tbf rate "$rate" burst 32kb latency 100ms
export OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=lo
echo "link: $(ip netns exec "$ns" tc qdisc show dev lo)"
for s in gpipe 1f1b; do
    ip netns exec "$ns" "$bin" run --backend mpi --schedule $s --devices 2 --microbatches 8 --layers 8 --hidden 1024 --batch 128 \
        --iterations 20 --db "$work/link.db" --stall-timeout 30 | grep -E '^link|^typical' | sed "s/^/$s: /"
done
"$bin" calibrate --from-run 1 --db "$work/link.db" -o "$work/gpipe.json" --no-record >/dev/null
"$bin" calibrate --from-run 2 --db "$work/link.db" -o "$work/1f1b.json" --no-record >/dev/null
echo "gpipe's cost model predicting 1f1b: $("$bin" compare 2 --cost-model "$work/gpipe.json" --db "$work/link.db" | sed -n 2p)"
echo "1f1b's cost model predicting gpipe: $("$bin" compare 1 --cost-model "$work/1f1b.json" --db "$work/link.db" | sed -n 2p)"
