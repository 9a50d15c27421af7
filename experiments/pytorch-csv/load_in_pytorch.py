#!/usr/bin/env python3
"""Load Stagecraft CSV exports with PyTorch's own schedule loader; print one table row per file.

Usage: load_in_pytorch.py FAMILY P M FILE [FAMILY P M FILE ...]

For each file, the schedule class PyTorch uses for that placement is built for rank 0 from mock
stages (no process group, as in Tests/Fixtures/pytorch/generate.py), then
  1. class._load_csv(FILE, format="compute_only") must succeed: PyTorch validates the actions
     (_validate_schedule) and lowers them with UNSHARD/RESHARD, REDUCE_GRAD and SEND/RECV;
  2. the stage -> rank placement PyTorch infers from the file must be the class's own;
  3. pipeline_order, re-dumped with _dump_csv(format="compute_only"), must equal the file cell by
     cell (csv.reader on both sides, so "\\r\\n" against "\\n" does not matter).
A FILE that does not exist means the export failed; FILE.err then holds stagecraft's message.
Exit status 1 if any representable family fails, else 0.
"""
import csv
import os
import sys
import tempfile

from torch.distributed.pipelining import schedules as S


class MockStage:
    """Just enough of _PipelineStageBase for schedule construction."""

    def __init__(self, stage_index, num_stages, group_size, group_rank):
        self.stage_index, self.num_stages = stage_index, num_stages
        self.group_size, self.group_rank = group_size, group_rank
        self.is_first, self.is_last = stage_index == 0, stage_index == num_stages - 1
        self.stage_index_to_group_rank = {}
        self.submod = None  # read by _check_torch_compile_compatibility


def one(p):  # one stage per rank: rank 0 holds stage 0
    return [MockStage(0, p, p, 0)]


def loop(p, v=2):  # rank r holds stages r, r+p, ...
    return [MockStage(i * p, p * v, p, 0) for i in range(v)]


def vee(p):  # rank r holds stages r and 2p-1-r
    return [MockStage(0, 2 * p, p, 0), MockStage(2 * p - 1, 2 * p, p, 0)]


# Single-stage families have no multi-stage class of their own; the base runtime class (documented
# as "instantiated directly by creating _PipelineScheduleRuntime and calling load_csv") takes them.
CLASSES = {
    "gpipe": (S._PipelineScheduleRuntime, one),
    "1f1b": (S._PipelineScheduleRuntime, one),
    "zb-h1": (S._PipelineScheduleRuntime, one),
    "zb-h2": (S._PipelineScheduleRuntime, one),
    "interleaved": (S.ScheduleInterleaved1F1B, loop),
    "looped-bfs": (S.ScheduleLoopedBFS, loop),
    "zb-v": (S.ScheduleZBVZeroBubble, vee),
    "dualpipev": (getattr(S, "ScheduleDualPipeV", None), vee),
}


def read_cells(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f)]


def check(family, p, m, path):
    """Returns (ok, result cell, full error or None); ok is None for a skipped family."""
    if not os.path.exists(path):
        err = open(path + ".err").read().strip() if os.path.exists(path + ".err") else "no file"
        return False, "export failed: " + err.splitlines()[0], err
    if family not in CLASSES:
        example = next((c for row in read_cells(path) for c in row if "@" in c), None)
        why = f"replica suffix, e.g. '{example}'" if example else "no PyTorch placement"
        return None, f"skipped: not representable in PyTorch ({why})", None
    cls, stages = CLASSES[family]
    if cls is None:
        return None, "skipped: this torch has no ScheduleDualPipeV", None
    name = cls.__name__
    try:
        sched = cls(stages(p), n_microbatches=m)
        placement = dict(sched.stage_index_to_group_rank)
        sched._load_csv(path, format="compute_only")
    except Exception as e:  # PyTorch's verdict, reported verbatim
        msg = f"{type(e).__name__}: {e}"
        return False, f"{name}: REFUSED: {msg.splitlines()[0]}", msg
    if sched.stage_index_to_group_rank != placement:
        msg = f"placement {sched.stage_index_to_group_rank} != {name}'s {placement}"
        return False, f"{name}: loaded, but {msg}", msg
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        sched._dump_csv(tmp.name, format="compute_only")
        mine, theirs = read_cells(path), read_cells(tmp.name)
    if mine != theirs:
        diff = next(((r, c, a, b) for r, (ra, rb) in enumerate(zip(mine, theirs))
                     for c, (a, b) in enumerate(zip(ra + [None] * len(rb), rb + [None] * len(ra)))
                     if a != b), ("rows", len(mine), len(theirs)))
        msg = f"re-dump differs at rank,step,file,pytorch = {diff}"
        return False, f"{name}: loaded, but {msg}", msg
    steps = sum(len(r) for r in mine)
    return True, f"{name}: loaded OK, re-dump identical ({steps} actions)", None


def main(args):
    if len(args) % 4:
        sys.exit(__doc__)
    rows = [(f, int(p), int(m), path) for f, p, m, path in zip(*[iter(args)] * 4)]
    results = [(f, p, m) + check(f, p, m, path) for f, p, m, path in rows]
    width = max(len(f) for f, *_ in results)
    print(f"{'family':<{width}} | p | m | result")
    print(f"{'-' * width}-|---|---|-------")
    for f, p, m, ok, cell, _ in results:
        print(f"{f:<{width}} | {p} | {m} | {cell}")
    failures = [r for r in results if r[3] is False]
    for f, p, m, _, _, msg in failures:
        print(f"\n{f} p={p} m={m}, full message:\n{msg}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
