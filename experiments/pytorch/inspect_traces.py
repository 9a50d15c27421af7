#!/usr/bin/env python3
"""Summarise torch.profiler Chrome traces written by make_traces.py (one or more rank files).

    python3 experiments/pytorch/inspect_traces.py /tmp/pytorch-traces/GPipe_p2_m8_rank*.json

For each file: top-level keys, distributedInfo.rank/world_size, baseTimeNanoseconds, event counts
by (ph, cat), and the user_annotation ranges (ProfilerStep#N, PP:<action>, Forward i/Backward i,
gloo:send/recv, Optimizer...) in start order, with start relative to the earliest ProfilerStep
start over all files (absolute time = baseTimeNanoseconds + ts * 1000 ns), duration in µs.
Times are combined as (base - base0) / 1000 + ts in doubles: base + ts * 1000 as one double would
round to 256 ns, since baseTimeNanoseconds is about 1.8e18.
--all lists every annotation; by default gloo:* and Optimizer.* are counted, not listed.
"""
import collections
import json
import sys


def main(argv):
    show_all = "--all" in argv
    paths = [a for a in argv if a != "--all"]
    traces = [(p, json.load(open(p))) for p in paths]
    base0 = min(d.get("baseTimeNanoseconds", 0) for _, d in traces)

    def us(d, ts):  # µs since base0
        return (d.get("baseTimeNanoseconds", 0) - base0) / 1000 + ts

    starts = [us(d, e["ts"]) for _, d in traces for e in d["traceEvents"]
              if e.get("cat") == "user_annotation" and e["name"].startswith("ProfilerStep#")]
    origin = min(starts) if starts else 0.0
    for p, d in traces:
        info = d.get("distributedInfo", {})
        ev = d["traceEvents"]
        print(f"== {p}")
        print(f"   keys: {list(d.keys())}")
        print(f"   rank {info.get('rank')} / world_size {info.get('world_size')}, backend {info.get('backend')}, "
              f"baseTimeNanoseconds {d.get('baseTimeNanoseconds')}, displayTimeUnit {d.get('displayTimeUnit')}")
        print(f"   events {len(ev)}: " + ", ".join(f"{k}={v}" for k, v in
              sorted(collections.Counter(f"{e.get('ph')}/{e.get('cat')}" for e in ev).items())))
        ua = sorted((e for e in ev if e.get("cat") == "user_annotation"), key=lambda e: e["ts"])
        hidden = collections.Counter()
        for e in ua:
            n = e["name"]
            if not show_all and (n.startswith("gloo:") or n.startswith("Optimizer.")):
                hidden[n] += 1
                continue
            t = us(d, e["ts"]) - origin
            print(f"   {t:12.3f} {e['dur']:10.3f}  tid {e['tid']}  {n}")
        if hidden:
            print("   (not listed: " + ", ".join(f"{k} x{v}" for k, v in sorted(hidden.items())) + ")")


if __name__ == "__main__":
    main(sys.argv[1:])
