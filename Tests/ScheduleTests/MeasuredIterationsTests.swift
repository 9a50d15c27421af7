import Schedule
import Testing

/// The typical iteration of many measured ones: per-action medians, the discard rule, the spread, and
/// the schedule's order kept — on synthetic iterations whose every number is known.
@Suite("Typical iteration")
struct MeasuredIterationsTests {
    /// One device, two stages? No: two devices, 1F1B p = 2, m = 2 (8 actions).
    static func schedule() throws -> Schedule { try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2) }

    /// A timeline where every action starts at `base + offset·id` and lasts `length`.
    static func iteration(_ schedule: Schedule, scale: Int64) -> Timeline {
        // Stretch a valid reference timeline (the simulator's order, unit costs ×10) by `scale` %.
        let reference: [Int64] = (0..<schedule.actions.count).map { Int64($0) }
        let start = reference.map { $0 * 10 * scale / 100 }
        let end = reference.map { ($0 * 10 + 10) * scale / 100 }
        return Timeline(schedule: schedule, start: start, end: end, peakMemory: [5, 7])
    }

    @Test("Spread: quartiles by linear interpolation, the median's 95% CI from order statistics")
    func spreadOfKnownValues() {
        let values = (1...20).map(Int64.init)  // 1 … 20
        let spread = Spread(values)
        #expect(spread.count == 20)
        #expect(spread.median == 10.5)
        #expect(spread.q1 == 5.75 && spread.q3 == 15.25)
        // n = 20: ranks ⌊10 − 4.38⌋ = 5 and ⌈11 + 4.38⌉ = 16.
        #expect(spread.ciLow == 5 && spread.ciHigh == 16)
        #expect(abs(spread.relativeIQR - 9.5 / 10.5) < 1e-12)
        #expect(spread.contains(10) && spread.contains(5.75) && !spread.contains(5.7) && !spread.contains(15.3))
        let small = Spread([3, 1, 2] as [Int64])
        #expect(small.median == 2 && small.ciLow == 1 && small.ciHigh == 3, "below 6 values the CI is the whole range")
        #expect(Spread([Double]()).count == 0)
    }

    @Test("per-action medians; the cold first iteration and a disturbed one are dropped by the stated rule")
    func medianAndDiscards() throws {
        let schedule = try Self.schedule()
        // Iteration 0 cold (150%), then 100, 102, 98, 101, 99, 300 (disturbed), 100 (%).
        let scales: [Int64] = [150, 100, 102, 98, 101, 99, 300, 100]
        let summary = MeasuredIterations(scales.map { Self.iteration(schedule, scale: $0) })
        #expect(summary.discarded.map(\.index) == [0, 6])
        #expect(summary.discarded.map(\.reason) == [.cold, .disturbed])
        #expect(summary.kept == [1, 2, 3, 4, 5, 7])
        // Kept scales sorted: 98 99 100 100 101 102 → median 100: the reference timeline exactly.
        let reference = Self.iteration(schedule, scale: 100)
        #expect(summary.typical.start == reference.start)
        #expect(summary.typical.end == reference.end)
        #expect(summary.typical.peakMemory == [5, 7])
        let spread = summary.spread
        #expect(spread.iterations == 8 && spread.kept == 6)
        #expect(spread.makespan.median == Double(reference.makespan))
        // Last action (id 7): end = 80·scale/100; quartiles of {78.4, 79.2, 80, 80, 80.8, 81.6} → 79.4, 80.6 (ns, truncated per iteration).
        let ends = [98, 99, 100, 100, 101, 102].map { Double(80 * $0 / 100) }
        #expect(spread.endQ1[7] == Int64(Spread.quantile(ends, 0.25).rounded()))
        #expect(spread.endQ3[7] == Int64(Spread.quantile(ends, 0.75).rounded()))
        #expect(spread.busy.count == 2 && spread.bubble.count == 2)
    }

    @Test("three iterations or fewer: none dropped as cold; one iteration is its own typical")
    func shortRuns() throws {
        let schedule = try Self.schedule()
        let one = MeasuredIterations([Self.iteration(schedule, scale: 120)])
        #expect(one.kept == [0] && one.discarded.isEmpty)
        #expect(one.typical.start == Self.iteration(schedule, scale: 120).start)
        let three = MeasuredIterations([120, 100, 110].map { Self.iteration(schedule, scale: $0) })
        #expect(three.kept == [0, 1, 2])
        #expect(three.typical.end == Self.iteration(schedule, scale: 110).end)
    }

    @Test("even count: the floor of the mean of the two middle values")
    func evenCount() throws {
        let schedule = try Self.schedule()
        let summary = MeasuredIterations([100, 103].map { Self.iteration(schedule, scale: $0) })
        let a = Self.iteration(schedule, scale: 100), b = Self.iteration(schedule, scale: 103)
        #expect(summary.typical.end == zip(a.end, b.end).map { ($0 + $1) >> 1 })
    }

    @Test("random jitter: the typical timeline keeps every order the iterations kept")
    func keepsScheduleOrder() throws {
        for (family, chunks) in [(ScheduleFamily.oneFOneB, 1), (.interleaved, 2), (.chimera, 1), (.zeroBubbleV, 2)] {
            let schedule = try family.make(devices: 2, microbatches: 4, chunks: chunks)
            let dependencies = Dependencies(schedule: schedule)
            var generator = SeededGenerator(seed: 7)
            let iterations = (0..<9).map { _ in Self.jittered(schedule, dependencies, &generator) }
            let typical = MeasuredIterations(iterations).typical
            for device in 0..<schedule.deviceCount {
                var previousEnd: Int64 = 0
                for id in schedule.actionRange(of: device) {
                    #expect(typical.start[id] <= typical.end[id])
                    #expect(typical.start[id] >= previousEnd, "\(family) device \(device) action \(schedule.actions[id])")
                    previousEnd = typical.end[id]
                    for predecessor in dependencies.predecessors(of: id) {
                        #expect(typical.start[id] >= typical.end[Int(predecessor)], "\(schedule.actions[id]) after its predecessor")
                    }
                }
            }
        }
    }

    /// A valid timeline of `schedule` with random durations and gaps (list-scheduled in dependency order).
    static func jittered(_ schedule: Schedule, _ dependencies: Dependencies, _ generator: inout SeededGenerator) -> Timeline {
        var start = [Int64](repeating: -1, count: schedule.actions.count), end = start
        var position = [Int](repeating: 0, count: schedule.deviceCount)
        var free = [Int64](repeating: 0, count: schedule.deviceCount)
        var done = 0
        while done < schedule.actions.count {
            for device in 0..<schedule.deviceCount {
                let range = schedule.actionRange(of: device)
                guard position[device] < range.count else { continue }
                let id = range.lowerBound + position[device]
                let predecessors = dependencies.predecessors(of: id).map(Int.init)
                guard predecessors.allSatisfy({ end[$0] >= 0 }) else { continue }
                let ready = predecessors.map { end[$0] }.max() ?? 0
                start[id] = max(ready, free[device]) + Int64(generator.next() % 50)
                end[id] = start[id] + 100 + Int64(generator.next() % 300)
                free[device] = end[id]
                position[device] += 1
                done += 1
            }
        }
        return Timeline(schedule: schedule, start: start, end: end)
    }
}
