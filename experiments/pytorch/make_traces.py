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

Several schedules in one process (--schedule A,B,... with the same stages per rank, e.g.
LoopedBFS,Interleaved1F1B or GPipe-runtime,1F1B-runtime): the schedules share the model, optimizer and
stages and take --turns turns each, in a Williams order (every schedule directly follows every other
equally often), so a slow phase of the machine falls on all of them alike. Each turn is one profiler
session (one unrecorded step, then --steps recorded) and writes OUT/NAME-<schedule>-t<turn>_rank<r>.json;
`stagecraft import-trace` takes all the turn files of one schedule together (NAME defaults to
p<P>_m<M>).
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
    ap.add_argument("--schedule", default="GPipe",
                    help=f"one of {', '.join(ALL)}, or csv:PATH; several, comma-separated, alternate in --turns turns")
    ap.add_argument("--turns", type=int, default=1,
                    help="turns per schedule when --schedule names several (default 1)")
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
    ap.add_argument("--malloc", choices=("tcmalloc", "jemalloc", "system"), default=None,
                    help="memory allocator of the ranks (LD_PRELOAD). Default: tcmalloc where libtcmalloc_minimal is "
                         "installed (Debian: libtcmalloc-minimal4), else glibc's. With glibc's malloc, PyTorch's freed "
                         "4 MB gradients go back to the kernel and come back as page faults (about 10 us each on this "
                         "VM), so steps are bimodal; PyTorch's CPU tuning guide recommends tcmalloc or jemalloc")
    ap.add_argument("--record-shapes", action="store_true", help="profiler record_shapes=True")
    ap.add_argument("--name", default=None, help="file stem (default <schedule>_p<P>_m<M>)")
    ap.add_argument("--out", default="/tmp/pytorch-traces", help="output folder")
    args = ap.parse_args(argv)
    args.schedules = args.schedule.split(",") if not args.schedule.startswith("csv:") else [args.schedule]
    for s in args.schedules:
        if s not in ALL and not s.startswith("csv:"):
            ap.error(f"unknown --schedule {s!r}")
    if len(args.schedules) > 1:
        held = {s: placement(args, s) for s in args.schedules}
        if len(set(map(repr, held.values()))) > 1:
            ap.error("the schedules of --schedule A,B,... must hold the same stages per rank: "
                     + "; ".join(f"{s}: {h[1]}" for s, h in held.items()))
    if args.turns < 1:
        ap.error("--turns must be at least 1")
    if args.batch % args.microbatches:
        ap.error("--batch must be a multiple of --microbatches")
    return args


# ---------------------------------------------------------------------------------------------
# placement and schedule IR


def read_csv_rows(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f)]


def placement(args, s):
    """Returns (num_stages, {rank: [stage indices held, in order]}) for schedule s."""
    P = args.ranks
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


def williams_order(n, turns):
    """Turn t's order of n schedules: the rows of a Williams design (0, 1, n-1, 2, n-2, ... shifted by
    the row; for odd n the rows and their mirrors), cycled, so each schedule directly follows every
    other equally often over a whole number of cycles (Williams 1949)."""
    first = [0]
    low, high = 1, n - 1
    while len(first) < n:
        first.append(low); low += 1
        if len(first) < n:
            first.append(high); high -= 1
    rows = [[(x + r) % n for x in first] for r in range(n)]
    if n % 2:
        rows += [row[::-1] for row in rows]
    return [rows[t % len(rows)] for t in range(turns)]


def make_schedule(args, s, stages, num_stages, loss_fn):
    from torch.distributed.pipelining import schedules as S
    M = args.microbatches
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
        num_stages, held = placement(args, args.schedules[0])
        mods = build_stage_modules(args, num_stages)
        dev = torch.device("cpu")
        stages = [PipelineStage(mods[i], i, num_stages, dev) for i in held[rank]]
        params = [p for st in stages for p in st.submod.parameters()]
        opt = torch.optim.SGD(params, lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        scheds = {s: make_schedule(args, s, stages, num_stages, loss_fn) for s in args.schedules}

        g = torch.Generator().manual_seed(1)
        x = torch.randn(args.batch, args.hidden, generator=g)
        y = torch.randn(args.batch, args.hidden, generator=g)
        first = 0 in held[rank]
        last = (num_stages - 1) in held[rank]

        def iteration(sched):
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

        for sched in scheds.values():
            for _ in range(args.warmup):
                iteration(sched)
        dist.barrier()
        alternating = len(args.schedules) > 1 or args.turns > 1
        order = williams_order(len(args.schedules), args.turns)
        if args.time_only:
            # Step times without the profiler: each step between barriers, the median per schedule printed by
            # rank 0, with the compute thread's minor page faults and kernel time per step (getrusage).
            import resource
            times = {s: [] for s in args.schedules}
            faults = {s: [] for s in args.schedules}
            kernel = {s: [] for s in args.schedules}
            for turn in order:
                for s in (args.schedules[i] for i in turn):
                    for _ in range(args.steps):
                        dist.barrier()
                        before = resource.getrusage(resource.RUSAGE_THREAD)
                        start = time.perf_counter()
                        iteration(scheds[s])
                        elapsed = time.perf_counter() - start
                        after = resource.getrusage(resource.RUSAGE_THREAD)
                        dist.barrier()
                        times[s].append(elapsed)
                        faults[s].append(after.ru_minflt - before.ru_minflt)
                        kernel[s].append(after.ru_stime - before.ru_stime)
            if rank == 0:
                for s, t in times.items():
                    t.sort()
                    f, k = sorted(faults[s]), sorted(kernel[s])
                    print(f"{s + ': ' if alternating else ''}step times ms: median {t[len(t) // 2] * 1e3:.3f} "
                          f"min {t[0] * 1e3:.3f} max {t[-1] * 1e3:.3f} over {len(t)} steps; rank 0 per step: "
                          f"minor page faults median {f[len(f) // 2]} max {f[-1]}, kernel time median "
                          f"{k[len(k) // 2] * 1e3:.1f} ms max {k[-1] * 1e3:.1f} ms", flush=True)
            return

        for t, turn in enumerate(order):
            for s in (args.schedules[i] for i in turn):
                stem = f"{name}-{s}-t{t + 1}" if alternating else name
                path = os.path.join(args.out, f"{stem}_rank{rank}.json")
                t0 = time.perf_counter()
                # One unrecorded step under the profiler, then --steps recorded ones (ProfilerStep#N each).
                with profile(activities=[ProfilerActivity.CPU],
                             schedule=prof_schedule(wait=0, warmup=1, active=args.steps, repeat=1),
                             on_trace_ready=lambda p, path=path: p.export_chrome_trace(path),
                             record_shapes=args.record_shapes) as prof:
                    for _ in range(1 + args.steps):
                        losses = iteration(scheds[s])
                        prof.step()
                wall = time.perf_counter() - t0
                dist.barrier()
                msg = f"rank {rank}: {s}: stages {held[rank]} -> {path} ({os.path.getsize(path)} bytes)"
                if losses:
                    msg += f", last loss {sum(l.item() for l in losses) / len(losses):.4f}"
                print(msg + f", {wall:.3f}s for {1 + args.steps} profiled-context iterations", flush=True)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ALLOCATORS = {"tcmalloc": "libtcmalloc_minimal.so.4", "jemalloc": "libjemalloc.so.2"}


def allocator_path(name):
    """The shared library of allocator `name`, or None when it is not installed."""
    import glob
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"):
        found = glob.glob(os.path.join(folder, ALLOCATORS[name]))
        if found:
            return found[0]
    return None


def use_allocator(args):
    """Restarts this script with the chosen allocator preloaded (the ranks inherit it); returns its name."""
    wanted = args.malloc or "tcmalloc"
    if wanted == "system":
        return "glibc malloc"
    path = allocator_path(wanted)
    if path is None:
        if args.malloc:
            raise SystemExit(f"--malloc {wanted}: {ALLOCATORS[wanted]} is not installed "
                             f"(Debian: apt-get install {'libtcmalloc-minimal4' if wanted == 'tcmalloc' else 'libjemalloc2'})")
        return "glibc malloc (libtcmalloc_minimal.so.4 not installed: apt-get install libtcmalloc-minimal4)"
    if path not in os.environ.get("LD_PRELOAD", ""):
        env = dict(os.environ, LD_PRELOAD=":".join(filter(None, [path, os.environ.get("LD_PRELOAD")])))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    return wanted


def main():
    args = parse_args()
    allocator = use_allocator(args)
    import torch
    import torch.multiprocessing as mp
    os.makedirs(args.out, exist_ok=True)
    if args.name:
        name = args.name
    elif args.schedule.startswith("csv:"):
        name = os.path.splitext(os.path.basename(args.schedule[4:]))[0]
    elif len(args.schedules) > 1:
        name = f"p{args.ranks}_m{args.microbatches}"
    else:
        name = f"{args.schedule}_p{args.ranks}_m{args.microbatches}"
    print(f"torch {torch.__version__}: {args.schedule} P={args.ranks} M={args.microbatches} "
          f"L={args.layers} H={args.hidden} batch={args.batch} warmup={args.warmup} steps={args.steps}"
          + (f" turns={args.turns}" if args.turns > 1 or len(args.schedules) > 1 else "") + f"; {allocator}", flush=True)
    mp.spawn(run_rank, args=(args, free_port(), name), nprocs=args.ranks, join=True)
    if not args.time_only and len(args.schedules) == 1 and args.turns == 1:
        for r in range(args.ranks):
            print(os.path.join(os.path.abspath(args.out), f"{name}_rank{r}.json"))


if __name__ == "__main__":
    main()
