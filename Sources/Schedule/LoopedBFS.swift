/// Looped BFS (Lamy-Poirier, "Breadth-First Pipeline Parallelism", 2022; the order of PyTorch's
/// `ScheduleLoopedBFS`): the looped placement of interleaved 1F1B — virtual stage s on device s mod p,
/// v stages per device — run breadth-first: a device runs the forwards of every micro-batch on its
/// first stage, then on its second, …, then the backwards stage by stage from its last stage back to
/// its first, each stage's micro-batches in reverse order (the last forward's micro-batch is the first
/// whose gradient comes back). Each device holds all m·v stage-activations at the turn, like GPipe.
///
/// Constraints: any p ≥ 1, m ≥ 1, v ≥ 1 (`chunks`); with v = 1 it is fill-drain with the backwards
/// in reverse micro-batch order.
///
/// Example, p = 2, m = 2, v = 2 (validated in `GeneratorTests`):
/// ```
/// device 0: 0F0 0F1 2F0 2F1 2B1 2B0 0B1 0B0
/// device 1: 1F0 1F1 3F0 3F1 3B1 3B0 1B1 1B0
/// ```
enum LoopedBFS {
    static func make(devices p: Int, microbatches m: Int, chunks v: Int) throws(ScheduleError) -> Schedule {
        let lists = (0..<p).map { d in
            let stages = (0..<v).map { $0 * p + d }
            let forwards = stages.flatMap { s in (0..<m).map { Action(.forward, stage: s, microbatch: $0) } }
            let backwards = stages.reversed().flatMap { s in (0..<m).reversed().map { Action(.backward, stage: s, microbatch: $0) } }
            return forwards + backwards
        }
        return Schedule(name: ScheduleFamily.loopedBFS.rawValue, placement: try .looped(devices: p, chunks: v),
                        microbatchCount: m, actionsByDevice: lists)
    }
}
