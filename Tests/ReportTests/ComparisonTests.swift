import Foundation
import Report
import Schedule
import Store
import Testing

/// `RunComparison` on a small synthetic pair stored in a database: every number against a hand
/// calculation, and runs of different schedules refused.
@Suite("Prediction vs measurement")
struct ComparisonTests {
    /// Two devices, two stages, two micro-batches: device 0 runs 0F0 0F1 0B0 0B1, device 1 runs 1F0 1F1 1B0 1B1.
    static func schedule(name: String = "pair", swapped: Bool = false) throws -> Schedule {
        let d0: [Action] = [.init(.forward, stage: 0, microbatch: 0), .init(.forward, stage: 0, microbatch: 1),
                            .init(.backward, stage: 0, microbatch: 0), .init(.backward, stage: 0, microbatch: 1)]
        let d1: [Action] = [.init(.forward, stage: 1, microbatch: 0), .init(.forward, stage: 1, microbatch: 1),
                            .init(.backward, stage: 1, microbatch: 0), .init(.backward, stage: 1, microbatch: 1)]
        return Schedule(name: name, placement: try Placement.looped(devices: 2, chunks: 1), microbatchCount: 2,
                        actionsByDevice: [swapped ? [d0[1], d0[0], d0[2], d0[3]] : d0, d1])
    }

    /// (start, end) per action, device 0 then device 1.
    static let predictedTimes: [(Int64, Int64)] = [(0, 10), (10, 20), (50, 70), (70, 90), (10, 20), (20, 30), (30, 50), (50, 70)]
    static let measuredTimes: [(Int64, Int64)] = [(0, 12), (12, 24), (60, 84), (84, 108), (15, 25), (25, 35), (35, 59), (59, 83)]

    static func timeline(_ schedule: Schedule, _ times: [(Int64, Int64)]) -> Timeline {
        Timeline(schedule: schedule, start: times.map(\.0), end: times.map(\.1), peakMemory: [0, 0])
    }

    /// Records both runs in a fresh database and reads their timelines back.
    static func stored(_ body: (RunStore, Int64, Int64) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ComparisonTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try RunStore(path: directory.appendingPathComponent("runs.db").path)
        let schedule = try schedule()
        var ids: [Int64] = []
        for (kind, times) in [(RunKind.simulated, predictedTimes), (.executed, measuredTimes)] {
            let id = try store.beginRun(NewRun(kind: kind, schedule: schedule, configJSON: "{}", host: "test", toolVersion: "test"))
            try store.completeRun(id: id, timeline: timeline(schedule, times))
            ids.append(id)
        }
        try body(store, ids[0], ids[1])
    }

    @Test("makespan, bubble and per-action errors equal the hand calculation")
    func handCalculation() throws {
        try Self.stored { store, predictedID, measuredID in
            let comparison = try RunComparison(predicted: try store.timeline(runID: predictedID),
                                               measured: try store.timeline(runID: measuredID))
            #expect(comparison.predictedMakespan == 90 && comparison.measuredMakespan == 108)
            #expect(abs(comparison.makespanError - (-18.0 / 108)) < 1e-12)
            // Device 0: busy 60 of 90 vs 72 of 108 (both 1/3 idle); device 1: busy 60 of 90 vs 68 of 108.
            #expect(comparison.devices.map(\.predictedBusy) == [60, 60])
            #expect(comparison.devices.map(\.measuredBusy) == [72, 68])
            #expect(comparison.devices.map(\.measuredIdle) == [36, 40])
            #expect(abs(comparison.devices[0].bubbleError) < 1e-12)
            #expect(abs(comparison.devices[1].bubbleError - (30.0 / 90 - 40.0 / 108)) < 1e-12)
            #expect(abs(comparison.worstDeviceBubbleError - (30.0 / 90 - 40.0 / 108)) < 1e-12)
            #expect(abs(comparison.devices[1].busyError - (60.0 - 68) / 68) < 1e-12)
            // Start errors 0 −2 −10 −14 −5 −5 −5 −9: |·| sorted 0 2 5 5 5 9 10 14 (nearest rank).
            #expect(comparison.actions.map(\.startError) == [0, -2, -10, -14, -5, -5, -5, -9])
            #expect(comparison.absoluteStartError.median == 5)
            #expect(comparison.absoluteStartError.p90 == 14)
            #expect(comparison.absoluteStartError.max == 14)
            #expect(comparison.startError.min == -14 && comparison.startError.max == 0)
            // End errors −2 −4 −14 −18 −5 −5 −9 −13: |·| sorted 2 4 5 5 9 13 14 18.
            #expect(comparison.absoluteEndError.median == 5)
            #expect(comparison.absoluteEndError.p90 == 18)
            #expect(comparison.absoluteEndError.max == 18)
            #expect(abs(comparison.ofMakespan(comparison.absoluteStartError.median) - 5.0 / 108) < 1e-12)
            #expect(comparison.worstActions(3).map(\.action.description) == ["0B1", "0B0", "1B1"])
            let summary = comparison.summary
            #expect(summary.matchedActions == 8 && summary.unmatchedActions == 0)
            #expect(summary.makespanError == comparison.makespanError)
        }
    }

    @Test("a comparison is stored with the two runs it links")
    func recorded() throws {
        try Self.stored { store, predictedID, measuredID in
            let record = ComparisonRecord(predictedRunID: predictedID, measuredRunID: measuredID, predictedMakespanNs: 90,
                                          measuredMakespanNs: 108, makespanError: -18.0 / 108, bubbleError: 0, worstDeviceBubbleError: 0,
                                          startErrorMedianNs: 5, startErrorP90Ns: 14, startErrorMaxNs: 14,
                                          endErrorMedianNs: 5, endErrorP90Ns: 18, endErrorMaxNs: 18)
            let id = try store.recordComparison(record)
            var expected = record
            expected.id = id
            #expect(try store.comparisons(runID: measuredID) == [expected])
            #expect(try store.comparisons(runID: predictedID) == [expected])
        }
    }

    @Test("runs of different schedules are refused, naming the difference")
    func mismatched() throws {
        let predicted = Self.timeline(try Self.schedule(), Self.predictedTimes)
        let reordered = Self.timeline(try Self.schedule(swapped: true), Self.measuredTimes)
        #expect {
            try RunComparison(predicted: predicted, measured: reordered, predictedName: "run 1", measuredName: "run 2")
        } throws: { error in
            "\(error)".contains("different schedules") && "\(error)".contains("device 0's action 0 is 0F0 in run 1 and 0F1 in run 2")
        }
        let other = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4)
        let otherTimeline = Timeline(schedule: other, start: .init(repeating: 0, count: other.actions.count),
                                     end: .init(repeating: 1, count: other.actions.count))
        #expect(throws: ComparisonError.self) { try RunComparison(predicted: predicted, measured: otherTimeline) }
    }
}

/// The noise verdict: a prediction is within the noise when it lies within the quartiles of the
/// measured iterations; every per-device and per-action figure is set against its own spread.
@Suite("Noise verdict")
struct NoiseVerdictTests {
    static func spread(makespan: [Int64], schedule: Schedule, startQ1: [Int64], startQ3: [Int64]) -> MeasurementSpread {
        MeasurementSpread(iterations: makespan.count, kept: makespan.count, makespan: Spread(makespan),
                          busy: [Spread([60, 62] as [Int64]), Spread([60, 62] as [Int64])],
                          bubble: [Spread([0.3, 0.4]), Spread([0.3, 0.35])],
                          startQ1: startQ1, startQ3: startQ3, endQ1: startQ1, endQ3: startQ3)
    }

    @Test("inside the measured quartiles: within the noise; outside: not")
    func verdict() throws {
        let schedule = try ComparisonTests.schedule()
        let predicted = ComparisonTests.timeline(schedule, ComparisonTests.predictedTimes)  // makespan 90
        let measured = ComparisonTests.timeline(schedule, ComparisonTests.measuredTimes)
        let starts = ComparisonTests.predictedTimes.map(\.0)
        // Quartiles of {80, 88, 92, 100} = 86, 95: 90 inside.
        let near = Self.spread(makespan: [80, 88, 92, 100], schedule: schedule, startQ1: starts.map { $0 - 1 }, startQ3: starts.map { $0 + 1 })
        let inside = try RunComparison(predicted: predicted, measured: measured, spread: near)
        #expect(inside.makespanWithinNoise == true)
        #expect(inside.startWithinNoise == 1)
        // Device 0's predicted bubble 30/90 = 1/3 lies within [0.325, 0.375]; device 1's 1/3 within [0.3125, 0.3375].
        #expect(inside.bubbleWithinNoise(device: 0) == true && inside.bubbleWithinNoise(device: 1) == true)
        // Quartiles of {100, 104, 108, 112} = 103, 109: 90 below; half the starts (the even ids) inside.
        let far = Self.spread(makespan: [100, 104, 108, 112], schedule: schedule,
                              startQ1: starts.enumerated().map { $0.offset % 2 == 0 ? $0.element : $0.element + 1 },
                              startQ3: starts.enumerated().map { $0.offset % 2 == 0 ? $0.element : $0.element + 2 })
        let outside = try RunComparison(predicted: predicted, measured: measured, spread: far)
        #expect(outside.makespanWithinNoise == false)
        #expect(outside.startWithinNoise == 0.5)
        let bare = try RunComparison(predicted: predicted, measured: measured)
        #expect(bare.makespanWithinNoise == nil && bare.startWithinNoise == nil && bare.bubbleWithinNoise(device: 0) == nil)
    }

    @Test("a spread of another shape is refused")
    func mismatch() throws {
        let schedule = try ComparisonTests.schedule()
        let timeline = ComparisonTests.timeline(schedule, ComparisonTests.predictedTimes)
        let wrong = Self.spread(makespan: [1, 2], schedule: schedule, startQ1: [0], startQ3: [0])
        #expect { try RunComparison(predicted: timeline, measured: timeline, spread: wrong) } throws: { "\($0)".contains("covers 2 devices and 1 actions") }
    }
}
