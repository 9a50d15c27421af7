import Store
import Testing

/// A tune and its candidates go in and come back field for field.
@Suite struct TuneRecordTests {
    @Test func tuneRoundTrips() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("tunes.db"))
        let winner = TuneCandidateRecord(
            rank: 1, schedule: "synth", microbatches: 16, chunks: 2, stages: 8, recompute: false, layerSplit: "balanced",
            layersPerStage: [5, 6, 6, 3], makespanNs: 123_456_789, iterationNs: 123_999_999, bubbleRatio: 0.0625,
            peakMemoryPerDevice: [80_000_000_000, 79_999_999_999, 1, 0], microbatchesPerSecond: 129.03, samplesPerSecond: 258.06,
            withinBudget: true, onFrontier: true, lowerBoundNs: 120_000_000, reason: "fastest within the budget: +1.00% throughput over zb-h1 m=16",
            scheduleCSV: "0F0,0I0,0W0\n1F0,1I0,1W0\n",
            measured: TuneCandidateRecord.MeasuredCandidate(rank: 2, stepNs: 125_000_000.5, stepQ1Ns: 124_000_000, stepQ3Ns: 126_500_000, iterations: 20))
        let over = TuneCandidateRecord(
            rank: nil, schedule: "gpipe", microbatches: 32, chunks: 1, stages: 4, recompute: true, layerSplit: nil, layersPerStage: nil,
            makespanNs: 2, iterationNs: 3, bubbleRatio: 0.5, peakMemoryPerDevice: [9, 8, 7, 6], microbatchesPerSecond: 1,
            samplesPerSecond: nil, withinBudget: false, onFrontier: false, lowerBoundNs: 1, reason: nil, scheduleCSV: nil)
        let tune = TuneRecord(host: "host", toolVersion: "0.1.0", configJSON: #"{"devices":4}"#, devices: 4, memoryBudgetBytes: 80_000_000_000,
                              lowerBoundNs: 120_000_000, evaluated: 2, seconds: 0.25, candidates: [winner, over])
        let id = try store.recordTune(tune)
        let back = try #require(try store.tune(id: id))
        #expect(back.id == id)
        #expect(!back.createdAt.isEmpty)
        var expected = tune
        expected.id = id
        expected.createdAt = back.createdAt
        #expect(back == expected)
        #expect(try store.tune(id: id + 1) == nil)
    }
}
