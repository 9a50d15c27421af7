/// Chimera (Li & Hoefler, SC'21): two pipelines in opposite directions over the same p devices (p even).
/// Device d holds stage d of the down pipeline (replica 0) and stage p − 1 − d of the up pipeline
/// (replica 1), so every stage exists twice.
///
/// A basic unit takes p micro-batches: the first half flows down, the second half up. Its order is
/// found by list scheduling under unit costs (F = B = 1): whenever a device is free it runs, among its
/// ready actions, a backward before a forward, then the micro-batch that entered its pipeline first,
/// then the down pipeline. This reproduces the paper's basic unit, whose makespan is 2m + p − 2 for
/// m = p (bubble ratio (p − 2)/(2m + p − 2)). For m > p, basic units of p micro-batches are concatenated:
/// unit k's micro-batches enter after unit k − 1's, and the same list scheduling lets them fill the
/// previous unit's bubbles, holding no more micro-batches per stage than the basic unit does (so memory
/// stays the basic unit's); a last partial unit splits its micro-batches the same way. Each device ends
/// with a `gradSync` for each of its two stages, in the order their last backwards ran.
enum Chimera {
    static func make(devices p: Int, microbatches m: Int) throws(ScheduleError) -> Schedule {
        guard p % 2 == 0 else {
            throw .unsupported("chimera", "it needs an even number of devices (two pipelines in opposite directions share them); use --devices \(max(2, p - 1)) or \(p + 1)")
        }
        let placement = try Placement.chimera(devices: p)
        // Micro-batches enter the down pipeline (replica 0) and the up pipeline (replica 1) unit by unit.
        var pipelines: [[Int]] = [[], []]
        var first = 0
        while first < m {
            let size = min(p, m - first), half = (size + 1) / 2
            pipelines[0] += first..<(first + half)
            pipelines[1] += (first + half)..<(first + size)
            first += size
        }
        // The basic unit alone sets how many micro-batches each stage may hold; later units fill the
        // basic unit's bubbles within that bound.
        let unit = listSchedule(placement, pipelines: [Array(pipelines[0].prefix(p / 2)), Array(pipelines[1].prefix(p / 2))], cap: nil)
        var lists = m <= p ? unit.lists : listSchedule(placement, pipelines: pipelines, cap: unit.peakInFlight).lists
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

    /// List-schedules the micro-batches `pipelines[r]` of each replica r, in the order they enter, with
    /// at most `cap[r][s]` forwards awaiting their backward on stage s of replica r (no bound when nil).
    /// Returns the per-device order and the most micro-batches each (replica, stage) held at once.
    private static func listSchedule(_ placement: Placement, pipelines: [[Int]], cap: [[Int]]?) -> (lists: [[Action]], peakInFlight: [[Int]]) {
        let p = placement.deviceCount, stages = placement.stageCount
        // Per (replica, stage): next micro-batch (local index) to run forward / backward, and finish times.
        var nextForward = [[Int]](repeating: [Int](repeating: 0, count: stages), count: 2)
        var nextBackward = nextForward
        var peakInFlight = nextForward
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
                    if f < count, s == 0 || forwardEnd[r][s - 1][f] <= time, cap == nil || f - nextBackward[r][s] < cap![r][s] {
                        let candidate = (1, f, r, s)
                        if best == nil || candidate < best! { best = candidate }
                    }
                }
                guard let (isForward, i, r, s) = best else { continue }
                let microbatch = pipelines[r][i]
                if isForward == 1 {
                    forwardEnd[r][s][i] = time + 1
                    nextForward[r][s] += 1
                    peakInFlight[r][s] = max(peakInFlight[r][s], nextForward[r][s] - nextBackward[r][s])
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
        return (lists, peakInFlight)
    }
}
