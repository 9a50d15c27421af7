#!/usr/bin/env python3
"""Regenerate the PyTorch pipelining schedule CSV fixtures in this directory.

Usage: python3 Tests/Fixtures/pytorch/generate.py [OUTDIR]

Needs torch (CPU build is enough). No process group, no GPU: the schedule
classes are given mock stage objects that only carry the attributes the
schedule constructors read (stage_index, num_stages, group_size, group_rank).

Every file is written by PyTorch's own code:
  * multi-stage schedules (Interleaved1F1B, LoopedBFS, InterleavedZeroBubble,
    ZBVZeroBubble, DualPipeV): schedule._dump_csv(path, format=...)
  * single-stage schedules (GPipe, 1F1B) have no _dump_csv of their own; their
    pipeline_order is written with PipelineScheduleMulti._dump_csv (the same
    csv.writer loop), called unbound on the schedule object.
csv.writer uses "\\r\\n" line ends; that is kept on purpose.
"""
import os
import sys

import torch
from torch.distributed.pipelining import schedules as S

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


class MockStage:
    """Just enough of _PipelineStageBase for schedule construction."""

    def __init__(self, stage_index, num_stages, group_size, group_rank):
        self.stage_index = stage_index
        self.num_stages = num_stages
        self.group_size = group_size
        self.group_rank = group_rank
        self.is_first = stage_index == 0
        self.is_last = stage_index == num_stages - 1
        self.stage_index_to_group_rank = {}
        self.submod = None  # read by _check_torch_compile_compatibility


def loop_stages(p, v, rank):
    # "loop" placement: rank r holds stages r, r+p, r+2p, ...
    n = p * v
    return [MockStage(rank + i * p, n, p, rank) for i in range(v)]


def v_stages(p, rank):
    # "v" placement (ZBV / DualPipeV): rank r holds stages r and 2p-1-r
    n = 2 * p
    return [MockStage(rank, n, p, rank), MockStage(n - 1 - rank, n, p, rank)]


def single(cls, p, m):
    return cls(MockStage(0, p, p, 0), n_microbatches=m)


def multi(cls, stages, m):
    return cls(stages, n_microbatches=m)


def dump_single(sched, name):
    path = os.path.join(OUT, name)
    S.PipelineScheduleMulti._dump_csv(sched, path)
    return path


def dump_multi(sched, name, fmt="compute_only"):
    path = os.path.join(OUT, name)
    sched._dump_csv(path, format=fmt)
    return path


def main():
    print(f"torch {torch.__version__}")
    os.makedirs(OUT, exist_ok=True)
    written = []
    p, m = 4, 8

    written.append(dump_single(single(S.ScheduleGPipe, p, m), f"GPipe_p{p}_m{m}_compute.csv"))

    s1 = single(S.Schedule1F1B, p, m)
    last = s1.pipeline_order[p - 1]
    last_fwd = sorted(a.microbatch_index for a in last if a is not None and a.computation_type == S.FORWARD)
    off_by_one = last_fwd != list(range(m))
    name = f"1F1B_p{p}_m{m}_compute" + ("_lastrank_fwd_off_by_one" if off_by_one else "") + ".csv"
    written.append(dump_single(s1, name))
    print(f"1F1B p={p} m={m}: last-rank forward microbatches = {last_fwd}"
          + (" (off by one: expected 0..%d)" % (m - 1) if off_by_one else " (ok)"), flush=True)

    v = 2
    written.append(dump_multi(multi(S.ScheduleInterleaved1F1B, loop_stages(p, v, 0), m),
                              f"Interleaved1F1B_p{p}_v{v}_m{m}_compute.csv"))
    written.append(dump_multi(multi(S.ScheduleLoopedBFS, loop_stages(p, v, 0), m),
                              f"LoopedBFS_p{p}_v{v}_m{m}_compute.csv"))
    written.append(dump_multi(multi(S.ScheduleInterleavedZeroBubble, loop_stages(p, v, 0), m),
                              f"InterleavedZeroBubble_p{p}_v{v}_m{m}_compute.csv"))
    written.append(dump_multi(multi(S.ScheduleZBVZeroBubble, v_stages(p, 0), m),
                              f"ZBVZeroBubble_p{p}_v2_m{m}_compute.csv"))
    if hasattr(S, "ScheduleDualPipeV"):
        written.append(dump_multi(multi(S.ScheduleDualPipeV, v_stages(p, 0), m),
                                  f"DualPipeV_p{p}_v2_m{m}_compute.csv"))

    # One lowered schedule (with UNSHARD/RESHARD, SEND_*/RECV_*, REDUCE_GRAD).
    written.append(dump_multi(multi(S.ScheduleInterleaved1F1B, loop_stages(2, v, 0), 4),
                              f"Interleaved1F1B_p2_v{v}_m4_compute_comms.csv", fmt="compute_comms"))

    for path in written:
        print(f"wrote {os.path.basename(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
