import Executor
import Schedule

/// One point of the test grid: a schedule family with (p, m, v).
struct ScheduleCase: Sendable, CustomStringConvertible {
    let family: ScheduleFamily
    let devices: Int
    let microbatches: Int
    let chunks: Int

    init(_ family: ScheduleFamily, p devices: Int, m microbatches: Int, v chunks: Int = 1) {
        self.family = family
        self.devices = devices
        self.microbatches = microbatches
        self.chunks = chunks
    }

    var description: String { "\(family.rawValue) p=\(devices) m=\(microbatches) v=\(chunks)" }

    func schedule() throws -> Schedule {
        try family.make(devices: devices, microbatches: microbatches, chunks: chunks)
    }

    /// A small model for the schedule: one more layer than stages (so the split is uneven), width 6,
    /// two rows per micro-batch.
    func model(learningRate: Float = 0.05) throws -> MLPConfiguration {
        let stages = try schedule().stageCount
        return MLPConfiguration(layers: stages + 1, hidden: 6, batch: 2 * microbatches, seed: 7, learningRate: learningRate)
    }

    /// Every family, p ≤ 4, several m, v ∈ {1, 2} for interleaved and looped BFS, v = 2 for the V shapes.
    static let grid: [ScheduleCase] = {
        var cases: [ScheduleCase] = []
        for p in 1...4 {
            for m in [1, 3, 4, 8] {
                cases.append(ScheduleCase(.gpipe, p: p, m: m))
                cases.append(ScheduleCase(.oneFOneB, p: p, m: m))
                cases.append(ScheduleCase(.interleaved, p: p, m: m, v: 1))
            }
            for m in [p, 2 * p] { cases.append(ScheduleCase(.interleaved, p: p, m: m, v: 2)) }
            for m in [1, 3, 4, 8] {
                cases.append(ScheduleCase(.zeroBubbleH1, p: p, m: m))
                cases.append(ScheduleCase(.zeroBubbleH2, p: p, m: m))
                cases.append(ScheduleCase(.zeroBubbleV, p: p, m: m, v: 2))
                cases.append(ScheduleCase(.loopedBFS, p: p, m: m, v: m % 2 + 1))
            }
            for m in [2 * p, 2 * p + 1] { cases.append(ScheduleCase(.dualPipeV, p: p, m: m, v: 2)) }
        }
        for p in [2, 4] {
            for m in [1, 2, 3, 4, 6, 8] { cases.append(ScheduleCase(.chimera, p: p, m: m)) }
        }
        return cases
    }()
}
