#!/usr/bin/env python3
"""Record real torch.profiler Chrome traces of torch.distributed.pipelining runs (CPU, gloo).

Spawns P ranks on this machine (torch.multiprocessing, MASTER_ADDR=127.0.0.1, a free
MASTER_PORT), builds the same MLP on every rank (L x [Linear(H, H) + ReLU], seed 0), splits it
into pipeline stages, and runs a torch.distributed.pipelining schedule with an MSE loss and SGD:
W warm-up iterations with no profiler, then torch.profiler (activities=[CPU]) with
schedule(wait=0, warmup=1, active=K), so K iterations are recorded, each one inside a
"ProfilerStep#N" range. One Chrome trace per rank is written to OUT/NAME_rank<r>.json.

    python3 experiments/pytorch/make_traces.py --schedule 1F1B --ranks 2 --microbatches 4 \\
        --layers 4 --hidden 64 --batch 16 --steps 1 --out /tmp/pytorch-traces

--schedule (stage placement per rank r of P):
  GPipe, 1F1B                    1 stage: r                   (PipelineScheduleSingle)
  Interleaved1F1B, LoopedBFS,
  InterleavedZeroBubble          V stages: r, r+P, ...        (_PipelineScheduleRuntime)
  ZBVZeroBubble, DualPipeV       2 stages: r, 2P-1-r          (_PipelineScheduleRuntime)
  GPipe-runtime, 1F1B-runtime    1 stage: r, but run by the generic _PipelineScheduleRuntime
                                 from a compute-only action list, so every action gets a
                                 "PP:<action>" range (the single-stage classes do not emit
                                 those: GPipe emits "Forward i"/"Backward i", 1F1B nothing).
  csv:PATH                       _PipelineScheduleRuntime._load_csv(PATH, "compute_only"):
                                 one row per rank, e.g. a `stagecraft schedule export --format
                                 csv` file; each rank holds the stages its row names.

NAME defaults to <schedule>_p<P>_m<M> (csv: the file's stem).
"""
import argparse
import csv
import os
import socket
import sys
import time


MULTI_LOOP = ("Interleaved1F1B", "LoopedBFS", "InterleavedZeroBubble")
MULTI_V = ("ZBVZeroBubble", "DualPipeV")
SINGLE = ("GPipe", "1F1B")
RUNTIME_SINGLE = ("GPipe-runtime", "1F1B-runtime")
ALL = SINGLE + MULTI_LOOP + MULTI_V + RUNTIME_SINGLE


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--schedule", default="GPipe", help=f"one of {', '.join(ALL)}, or csv:PATH")
    ap.add_argument("--ranks", type=int, default=2, help="P, number of processes (default 2)")
    ap.add_argument("--microbatches", type=int, default=4, help="M (default 4)")
    ap.add_argument("--stages-per-rank", type=int, default=2,
                    help="V for Interleaved1F1B/LoopedBFS/InterleavedZeroBubble (default 2)")
    ap.add_argument("--layers", type=int, default=4, help="L, Linear+ReLU blocks (default 4)")
    ap.add_argument("--hidden", type=int, default=64, help="H, width (default 64)")
    ap.add_argument("--batch", type=int, default=16, help="whole batch, split into M (default 16)")
    ap.add_argument("--warmup", type=int, default=2, help="iterations before the profiler (default 2)")
    ap.add_argument("--steps", type=int, default=1, help="K, profiled iterations (default 1)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads per rank (default 1)")
    ap.add_argument("--time-only", action="store_true",
                    help="no profiler and no trace: time --steps steps between barriers and print the median (rank 0)")
    ap.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True,
                    help="pin rank r to the r-th allowed core when there are enough cores (default: on)")
    ap.add_argument("--record-shapes", action="store_true", help="profiler record_shapes=True")
    ap.add_argument("--name", default=None, help="file stem (default <schedule>_p<P>_m<M>)")
    ap.add_argument("--out", default="/tmp/pytorch-traces", help="output folder")
    args = ap.parse_args(argv)
    if args.schedule not in ALL and not args.schedule.startswith("csv:"):
        ap.error(f"unknown --schedule {args.schedule!r}")
    if args.batch % args.microbatches:
        ap.error("--batch must be a multiple of --microbatches")
    return args


# ---------------------------------------------------------------------------------------------
# placement and schedule IR


def read_csv_rows(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f)]


def placement(args):
    """Returns (num_stages, {rank: [stage indices held, in order]})."""
    P = args.ranks
    s = args.schedule
    if s in SINGLE or s in RUNTIME_SINGLE:
        return P, {r: [r] for r in range(P)}
    if s in MULTI_LOOP:
        V = args.stages_per_rank
        return P * V, {r: [r + i * P for i in range(V)] for r in range(P)}
    if s in MULTI_V:
        return 2 * P, {r: [r, 2 * P - 1 - r] for r in range(P)}
    # csv: each rank holds the stages its row names
    from torch.distributed.pipelining.schedules import _Action
    rows = read_csv_rows(s[4:])
    if len(rows) != P:
        raise SystemExit(f"{s[4:]} has {len(rows)} rows, --ranks is {P}")
    held = {}
    for r, row in enumerate(rows):
        stages = []
        for cell in row:
            a = _Action.from_str(cell)
            if a is not None and a.stage_index not in stages:
                stages.append(a.stage_index)
        held[r] = sorted(stages)
    n = 1 + max(i for st in held.values() for i in st)
    return n, held


def runtime_single_order(kind, P, M):
    """Compute-only IR for one stage per rank (stage r on rank r), as the single-stage classes run it.

    1F1B: written here rather than taken from Schedule1F1B._get_pipeline_order, whose last rank's
    forwards are off by one (F1..FM) in torch 2.8-2.13; the order below is the one
    Schedule1F1B._step_microbatches actually executes (warm-up min(M, P-r) forwards, then B/F
    alternating, then the remaining backwards)."""
    from torch.distributed.pipelining.schedules import _Action, _ComputationType as C
    order = {}
    for r in range(P):
        acts = []
        if kind == "GPipe-runtime":
            acts += [_Action(r, C.FORWARD, i) for i in range(M)]
            acts += [_Action(r, C.FULL_BACKWARD, i) for i in range(M)]
        else:
            w = min(M, P - r)
            f = b = 0
            for _ in range(w):
                acts.append(_Action(r, C.FORWARD, f)); f += 1
            while f < M:
                acts.append(_Action(r, C.FULL_BACKWARD, b)); b += 1
                acts.append(_Action(r, C.FORWARD, f)); f += 1
            while b < M:
                acts.append(_Action(r, C.FULL_BACKWARD, b)); b += 1
        order[r] = acts
    return order


# ---------------------------------------------------------------------------------------------
# one rank


def build_stage_modules(args, num_stages):
    import torch
    from torch import nn
    torch.manual_seed(0)
    blocks = [nn.Sequential(nn.Linear(args.hidden, args.hidden), nn.ReLU()) for _ in range(args.layers)]
    if args.layers < num_stages:
        raise SystemExit(f"--layers {args.layers} < {num_stages} stages")
    per, extra = divmod(args.layers, num_stages)
    mods, at = [], 0
    for s in range(num_stages):
        k = per + (1 if s < extra else 0)
        mods.append(nn.Sequential(*blocks[at:at + k]))
        at += k
    return mods


def make_schedule(args, stages, num_stages, loss_fn):
    from torch.distributed.pipelining import schedules as S
    s, M = args.schedule, args.microbatches
    if s in SINGLE:
        cls = {"GPipe": S.ScheduleGPipe, "1F1B": S.Schedule1F1B}[s]
        return cls(stages[0], n_microbatches=M, loss_fn=loss_fn)
    if s in MULTI_LOOP or s in MULTI_V:
        cls = getattr(S, "Schedule" + s, None)
        if cls is None:
            raise SystemExit(f"this torch has no Schedule{s}")
        return cls(stages, n_microbatches=M, loss_fn=loss_fn)
    sched = S._PipelineScheduleRuntime(stages, n_microbatches=M, loss_fn=loss_fn)
    if s in RUNTIME_SINGLE:
        order = runtime_single_order(s, args.ranks, M)
        sched.pipeline_order = order
        sched._prepare_schedule_with_comms(order)
    else:
        sched._load_csv(s[4:], format="compute_only")
    return sched


def run_rank(rank, args, port, name):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    import torch
    import torch.distributed as dist
    from torch.distributed.pipelining import PipelineStage
    from torch.profiler import ProfilerActivity, profile, schedule as prof_schedule

    torch.set_num_threads(args.threads)
    cores = sorted(os.sched_getaffinity(0))
    if args.pin and args.ranks <= len(cores):
        # One core per rank, as Stagecraft's executor pins its device threads: with two ranks on two
        # cores, unpinned processes (and gloo's threads) land on one core in some runs, 3x slower.
        os.sched_setaffinity(0, {cores[rank]})
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    try:
        num_stages, held = placement(args)
        mods = build_stage_modules(args, num_stages)
        dev = torch.device("cpu")
        stages = [PipelineStage(mods[i], i, num_stages, dev) for i in held[rank]]
        params = [p for st in stages for p in st.submod.parameters()]
        opt = torch.optim.SGD(params, lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        sched = make_schedule(args, stages, num_stages, loss_fn)

        g = torch.Generator().manual_seed(1)
        x = torch.randn(args.batch, args.hidden, generator=g)
        y = torch.randn(args.batch, args.hidden, generator=g)
        first = 0 in held[rank]
        last = (num_stages - 1) in held[rank]

        def iteration():
            opt.zero_grad(set_to_none=True)
            losses = [] if last else None
            kw = {}
            if last:
                kw.update(target=y, losses=losses)
            if first:
                sched.step(x, **kw)
            else:
                sched.step(**kw)
            opt.step()
            return losses

        for _ in range(args.warmup):
            iteration()
        dist.barrier()
        if args.time_only:
            # Step times without the profiler: each step between barriers, the median printed by rank 0.
            times = []
            for _ in range(args.steps):
                dist.barrier()
                start = time.perf_counter()
                iteration()
                dist.barrier()
                times.append(time.perf_counter() - start)
            if rank == 0:
                times.sort()
                print(f"step times ms: median {times[len(times) // 2] * 1e3:.3f} min {times[0] * 1e3:.3f} max {times[-1] * 1e3:.3f} over {len(times)} steps", flush=True)
            return

        path = os.path.join(args.out, f"{name}_rank{rank}.json")
        done = []

        def on_ready(p):
            p.export_chrome_trace(path)
            done.append(path)

        t0 = time.perf_counter()
        with profile(activities=[ProfilerActivity.CPU],
                     schedule=prof_schedule(wait=0, warmup=1, active=args.steps, repeat=1),
                     on_trace_ready=on_ready, record_shapes=args.record_shapes) as prof:
            for _ in range(1 + args.steps):
                losses = iteration()
                prof.step()
        wall = time.perf_counter() - t0
        dist.barrier()
        msg = f"rank {rank}: stages {held[rank]} -> {path} ({os.path.getsize(path)} bytes)"
        if losses:
            msg += f", last loss {sum(l.item() for l in losses) / len(losses):.4f}"
        print(msg + f", {wall:.3f}s for {1 + args.steps} profiled-context iterations", flush=True)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    args = parse_args()
    import torch
    import torch.multiprocessing as mp
    os.makedirs(args.out, exist_ok=True)
    if args.name:
        name = args.name
    elif args.schedule.startswith("csv:"):
        name = os.path.splitext(os.path.basename(args.schedule[4:]))[0]
    else:
        name = f"{args.schedule}_p{args.ranks}_m{args.microbatches}"
    print(f"torch {torch.__version__}: {args.schedule} P={args.ranks} M={args.microbatches} "
          f"L={args.layers} H={args.hidden} batch={args.batch} warmup={args.warmup} steps={args.steps}",
          flush=True)
    mp.spawn(run_rank, args=(args, free_port(), name), nprocs=args.ranks, join=True)
    for r in range(args.ranks):
        print(os.path.join(os.path.abspath(args.out), f"{name}_rank{r}.json"))


if __name__ == "__main__":
    main()
