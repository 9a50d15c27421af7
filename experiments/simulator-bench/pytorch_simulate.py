#!/usr/bin/env python3
"""PyTorch's own path to a simulated schedule, timed: build ScheduleInterleaved1F1B's pipeline order for
every rank (mock stages, no process group), lower it with send/recv actions (_add_send_recv) and run
_simulate_comms_compute. Prints the seconds of each step and the total.

Usage: pytorch_simulate.py DEVICES MICROBATCHES CHUNKS
"""
import os
import sys
import time

from torch.distributed.pipelining import schedules as S

# The mock stages the fixture generator gives PyTorch's schedule classes (no process group needed).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "pytorch"))
from generate import MockStage  # noqa: E402


def main():
    p, m, v = (int(x) for x in sys.argv[1:4])
    n = p * v
    start = time.perf_counter()
    stages = [MockStage(i * p, n, p, 0) for i in range(v)]
    schedule = S.ScheduleInterleaved1F1B(stages, n_microbatches=m)
    order = {rank: [a for a in actions if a is not None] for rank, actions in schedule.pipeline_order.items()}
    built = time.perf_counter()
    actions = sum(len(a) for a in order.values())  # counted now: lowering consumes the lists
    stage_to_rank = lambda s: s % p
    lowered = S._add_send_recv(order, stage_to_rank=stage_to_rank, num_stages=n)
    lowered_at = time.perf_counter()
    S._simulate_comms_compute(lowered, stage_to_rank=stage_to_rank, num_stages=n)
    done = time.perf_counter()
    print(f"actions {actions} build {built - start:.3f} s lower {lowered_at - built:.3f} s simulate {done - lowered_at:.3f} s total {done - start:.3f} s")


main()
