import Executor
import Schedule
import Testing

/// Peak memory follows the documented count (see `ThreadedExecutor`): with A bytes per micro-batch
/// tensor and k layers in the stage, F holds (k+1)·A until W/B, I holds k·A until W plus a transient A
/// on stages after the first, W releases (2k+1)·A; the weights and weight gradients (`parameterBytes`)
/// are held all the time and counted too.
@Suite("Memory accounting")
struct MemoryTests {
    /// Layers 4 over 2 stages (k = 2), hidden 8, 2 rows per micro-batch: A = 2 × 8 × 4 = 64 bytes.
    static let unit: Int64 = 64
    static func model(microbatches: Int) -> MLPConfiguration {
        MLPConfiguration(layers: 4, hidden: 8, batch: 2 * microbatches)
    }

    /// `activations` plus each device's parameter bytes.
    static func plus(_ executor: ThreadedExecutor, _ activations: [Int64]) -> [Int64] {
        zip(activations, executor.parameterBytes).map { $0 + $1 }
    }

    @Test("GPipe holds every micro-batch's activations at the turn")
    func gpipePeak() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 4)
        let executor = try ThreadedExecutor(schedule: schedule, model: Self.model(microbatches: 4))
        for result in try executor.run(iterations: 2) {
            // Device 0: 4 × 3A of forwards + 2A of the first backward's gradients = 14A.
            // Device 1: the same + the transient A of the input gradient it sends = 15A.
            #expect(result.timeline.peakMemory == Self.plus(executor, [14 * Self.unit, 15 * Self.unit]))
        }
    }

    @Test("1F1B holds at most p − d micro-batches on device d")
    func oneFOneBPeak() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4)
        let executor = try ThreadedExecutor(schedule: schedule, model: Self.model(microbatches: 4))
        let result = try executor.run(iterations: 1)[0]
        // Device 0: two forwards (6A) + 2A of gradients; device 1: one forward (3A) + 2A + A transient.
        #expect(result.timeline.peakMemory == Self.plus(executor, [8 * Self.unit, 6 * Self.unit]))
    }

    @Test("forward-only releases each forward's tensors when it ends")
    func forwardOnlyPeak() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 4)
        let executor = try ThreadedExecutor(schedule: schedule, model: Self.model(microbatches: 4),
                                            options: ExecutorOptions(forwardOnly: true))
        #expect(try executor.run(iterations: 1)[0].timeline.peakMemory == Self.plus(executor, [3 * Self.unit, 3 * Self.unit]))
    }

    @Test("parameter bytes count weights and weight gradients of the stages a device holds")
    func parameterBytes() throws {
        let schedule = try ScheduleFamily.chimera.make(devices: 2, microbatches: 2)
        let executor = try ThreadedExecutor(schedule: schedule, model: Self.model(microbatches: 2))
        // Each device: 2 stages × 2 layers × (64 + 8) floats × 2 (weights and gradients) × 4 bytes.
        let perDevice: Int64 = 2 * 2 * 72 * 2 * 4
        #expect(executor.parameterBytes == [perDevice, perDevice])
    }
}
