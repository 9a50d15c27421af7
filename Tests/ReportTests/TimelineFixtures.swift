import Schedule

/// Why a fixture timeline could not be built.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// Costs of the synthetic timing: forward 1 ms, backward 2 ms, grad sync 0.5 ms (I and W 1 ms each).
func cost(_ op: Op) -> Int64 {
    switch op {
    case .forward: 1_000_000
    case .backward: 2_000_000
    case .inputGrad, .weightGrad: 1_000_000
    case .gradSync: 500_000
    case .recompute: 1_000_000
    }
}

/// An as-soon-as-possible timing of `schedule` under uniform costs: each device runs its actions in
/// order, each starting when the device is free and every predecessor has ended. `scale` stretches
/// every duration and `jitter(id)` adds to it, to fake a measurement that differs from a prediction.
func asapTimeline(_ schedule: Schedule, scale: Double = 1, jitter: (Int) -> Int64 = { _ in 0 }) throws -> Timeline {
    let dependencies = Dependencies(schedule: schedule)
    let count = schedule.actions.count
    var start = [Int64](repeating: -1, count: count), end = [Int64](repeating: -1, count: count)
    var next = Array(schedule.deviceOffsets.dropLast())
    var free = [Int64](repeating: 0, count: schedule.deviceCount)
    var done = 0, progress = true
    while progress {
        progress = false
        for device in 0..<schedule.deviceCount {
            while next[device] < schedule.deviceOffsets[device + 1] {
                let id = next[device]
                let predecessors = dependencies.predecessors(of: id)
                guard predecessors.allSatisfy({ end[Int($0)] >= 0 }) else { break }
                let ready = predecessors.map { end[Int($0)] }.max() ?? 0
                start[id] = max(free[device], ready)
                let duration = Int64((Double(cost(schedule.actions[id].op)) * scale).rounded()) + jitter(id)
                end[id] = start[id] + max(duration, 1)
                free[device] = end[id]
                next[device] += 1
                done += 1
                progress = true
            }
        }
    }
    guard done == count else { throw FixtureError(description: "\(schedule.name): only \(done) of \(count) actions could run") }
    return Timeline(schedule: schedule, start: start, end: end,
                    peakMemory: (0..<schedule.deviceCount).map { Int64(schedule.deviceCount - $0) * 64 << 20 })
}

/// The three schedules the acceptance names: 1F1B, interleaved (v = 2) and Chimera, p = 4, m = 8.
func acceptanceSchedules() throws -> [Schedule] {
    [
        try ScheduleFamily.oneFOneB.make(devices: 4, microbatches: 8),
        try ScheduleFamily.interleaved.make(devices: 4, microbatches: 8, chunks: 2),
        try ScheduleFamily.chimera.make(devices: 4, microbatches: 8),
    ]
}
