/// Chimera (Li & Hoefler, SC'21): two pipelines in opposite directions over the same p devices (p even).
/// Device d holds stage d of the down pipeline (replica 0) and stage p − 1 − d of the up pipeline
/// (replica 1), so every stage exists twice.
///
/// A basic unit takes p micro-batches: the first half flows down, the second half up. Its order is
/// found by list scheduling under unit costs (F = B = 1): whenever a device is free it runs, among its
/// ready actions, a backward before a forward, then the micro-batch that entered its pipeline first,
/// then the down pipeline. This reproduces the paper's basic unit, whose makespan is 2m + p − 2 for
/// m = p (bubble ratio (p − 2)/(2m + p − 2)). For m > p the basic units are concatenated (the paper's
/// "direct concatenation"); a last partial unit splits its micro-batches the same way. Each device ends
/// with a `gradSync` for each of its two stages, in the order their last backwards ran.
enum Chimera {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        guard p % 2 == 0 else {
            throw .unsupported("chimera", "it needs an even number of devices (two pipelines in opposite directions share them); use --devices \(max(2, p - 1)) or \(p + 1)")
        }
        let placement = try Placement.chimera(devices: p)
        var lists = [[Action]](repeating: [], count: p)
        var first = 0
        while first < m {
            let size = min(p, m - first)
            let half = (size + 1) / 2
            let unit = basicUnit(placement, pipelines: [Array(first..<(first + half)), Array((first + half)..<(first + size))])
            for d in 0..<p { lists[d] += unit[d] }
            first += size
        }
        for d in 0..<p {
            // Sync each stage after its last backward, in the order those backwards ran.
            var syncs: [(position: Int, action: Action)] = []
            for (replica, stage) in placement.stages(on: d) {
                let last = lists[d].lastIndex { $0.op == .backward && $0.replica == replica && $0.stage == stage } ?? -1
                syncs.append((last, Action(.gradSync, stage: stage, replica: replica)))
            }
            lists[d] += syncs.sorted { $0.position < $1.position }.map(\.action)
        }
        return Schedule(name: ScheduleFamily.chimera.rawValue, placement: placement, microbatchCount: m, actionsByDevice: lists)
    }

    /// List-schedules one unit: `pipelines[r]` are the micro-batches of replica r, in the order they enter.
    private static func basicUnit(_ placement: Placement, pipelines: [[Int]]) -> [[Action]] {
        let p = placement.deviceCount, stages = placement.stageCount
        // Per (replica, stage): next micro-batch (local index) to run forward / backward, and finish times.
        var nextForward = [[Int]](repeating: [Int](repeating: 0, count: stages), count: 2)
        var nextBackward = nextForward
        var forwardEnd = pipelines.map { mbs in [[Int]](repeating: [Int](repeating: .max, count: mbs.count), count: stages) }
        var backwardEnd = forwardEnd
        var free = [Int](repeating: 0, count: p)
        var lists = [[Action]](repeating: [], count: p)
        var remaining = 2 * stages * pipelines.reduce(0) { $0 + $1.count }
        let held = (0..<p).map { placement.stages(on: $0) }
        var time = 0
        while remaining > 0 {
            for d in 0..<p where free[d] <= time {
                // Candidate: (is forward, local index, replica, stage).
                var best: (Int, Int, Int, Int)?
                for (r, s) in held[d] {
                    let count = pipelines[r].count
                    let b = nextBackward[r][s]
                    if b < count, forwardEnd[r][s][b] <= time, s == stages - 1 || backwardEnd[r][s + 1][b] <= time {
                        let candidate = (0, b, r, s)
                        if best == nil || candidate < best! { best = candidate }
                    }
                    let f = nextForward[r][s]
                    if f < count, s == 0 || forwardEnd[r][s - 1][f] <= time {
                        let candidate = (1, f, r, s)
                        if best == nil || candidate < best! { best = candidate }
                    }
                }
                guard let (isForward, i, r, s) = best else { continue }
                let microbatch = pipelines[r][i]
                if isForward == 1 {
                    forwardEnd[r][s][i] = time + 1
                    nextForward[r][s] += 1
                    lists[d].append(Action(.forward, stage: s, microbatch: microbatch, replica: r))
                } else {
                    backwardEnd[r][s][i] = time + 1
                    nextBackward[r][s] += 1
                    lists[d].append(Action(.backward, stage: s, microbatch: microbatch, replica: r))
                }
                free[d] = time + 1
                remaining -= 1
            }
            time += 1
        }
        return lists
    }
}
