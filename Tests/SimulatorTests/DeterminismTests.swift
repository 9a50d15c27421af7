import Schedule
import Testing
@testable import Simulator

/// The same input gives the same timeline, bit for bit.
struct DeterminismTests {
    @Test("Identical input gives identical start, end and peak memory", arguments: [
        (ScheduleFamily.oneFOneB, 6, 13, 1), (.gpipe, 4, 9, 1), (.interleaved, 4, 8, 3), (.chimera, 6, 12, 1),
    ])
    func identical(family: ScheduleFamily, p: Int, m: Int, v: Int) throws {
        let stages = family == .interleaved ? p * v : p
        let model = CostModel(
            forward: .perStage((0..<stages).map { Double(100 + 37 * ($0 % 5)) }),
            backward: .perStage((0..<stages).map { Double(230 - 11 * ($0 % 7)) }),
            gradSync: .uniform(40), latency: 17, bandwidth: 3e9,
            transferBytes: .perStage((0..<stages).map { Double(64 * ($0 % 3)) }),
            activationBytes: .uniform(1_048_576), contention: true)
        let runs = try (0..<3).map { _ in try simulate(family, devices: p, microbatches: m, chunks: v, model) }
        for run in runs.dropFirst() {
            #expect(run.timeline.start == runs[0].timeline.start)
            #expect(run.timeline.end == runs[0].timeline.end)
            #expect(run.timeline.peakMemory == runs[0].timeline.peakMemory)
        }
    }
}
