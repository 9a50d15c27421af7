import Schedule
import Store
import Testing

/// The spread of an executed run's iterations is stored with the run, in the same transaction, and
/// read back value for value; a comparison's noise verdict round-trips too.
@Suite("Measurement spread")
struct MeasurementTests {
    @Test("a run's spread round-trips; runs without one read nil")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let schedule = try makeSchedule(.oneFOneB, devices: 2, microbatches: 4)
        let iterations = [100, 97, 104, 99, 101].map { scale -> Timeline in
            var timeline = makeTimeline(schedule)
            timeline.start = timeline.start.map { $0 * Int64(scale) / 100 }
            timeline.end = timeline.end.map { $0 * Int64(scale) / 100 }
            return timeline
        }
        let summary = MeasuredIterations(iterations)
        let measured = try store.beginRun(NewRun(kind: .executed, schedule: schedule, configJSON: "{}", host: "test", toolVersion: "test"))
        try store.completeRun(id: measured, timeline: summary.typical, measurement: StoredMeasurement(spread: summary.spread, timeline: "typical"))
        let back = try #require(try store.measurement(runID: measured))
        #expect(back.timeline == "typical")
        #expect(back.rule == MeasuredIterations.rule)
        #expect(back.spread == summary.spread)
        #expect(try store.timeline(runID: measured).start == summary.typical.start)

        let simulated = try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: "{}", host: "test", toolVersion: "test"))
        try store.completeRun(id: simulated, timeline: makeTimeline(schedule))
        #expect(try store.measurement(runID: simulated) == nil)

        let record = ComparisonRecord(predictedRunID: simulated, measuredRunID: measured, predictedMakespanNs: 1, measuredMakespanNs: 2,
                                      makespanError: -0.5, bubbleError: 0, worstDeviceBubbleError: 0, startErrorMedianNs: 0,
                                      startErrorP90Ns: 0, startErrorMaxNs: 0, endErrorMedianNs: 0, endErrorP90Ns: 0, endErrorMaxNs: 0,
                                      measuredMakespanQ1Ns: 1.5, measuredMakespanQ3Ns: 2.5, makespanWithinNoise: false, startWithinNoise: 0.25)
        let id = try store.recordComparison(record)
        var expected = record
        expected.id = id
        #expect(try store.comparisons(runID: measured) == [expected])
    }
}
