import Foundation
import Schedule
import Testing
@testable import TraceImport

// Traces written by the tests in torch.profiler's Chrome-trace format (kineto: times in µs as floats,
// "ph": "X" ranges, ProfilerStep#N per step, distributedInfo and host_name at the top), and the real
// traces of torch 2.13.0 in Tests/Fixtures/pytorch-trace.

/// How long a range waits before its first operator: 30 µs for names ending in "~idle" (the suffix is
/// dropped), none otherwise.
private func idleBefore(_ name: String) -> Double { name.hasSuffix("~idle") ? 30 : 0 }

/// A rank's trace file: its steps, each with (name, start µs, duration µs) ranges.
private func writeTrace(rank: Int, worldSize: Int = 2, host: String = "node0", steps: [[(String, Double, Double)]]) throws -> ProfilerTrace {
    var events: [[String: Any]] = [
        // Events of other kinds the importer must step over: an instant without "dur", string pids, metadata.
        ["ph": "i", "name": "Iteration Start: PyTorch Profiler", "pid": "Traces", "tid": "", "ts": 1.0, "s": "g"],
        ["ph": "M", "name": "process_name", "pid": 7, "tid": 0, "args": ["name": "python"]],
    ]
    for (index, ranges) in steps.enumerated() {
        let begin = ranges.map(\.1).min()! - 10, finish = ranges.map { $0.1 + $0.2 }.max()! + 10
        events.append(["ph": "X", "cat": "user_annotation", "name": "ProfilerStep#\(index + 1)", "pid": 7, "tid": 7, "ts": begin, "dur": finish - begin])
        for (name, ts, dur) in ranges {
            let label = name.hasSuffix("~idle") ? String(name.dropLast(5)) : name
            events.append(["ph": "X", "cat": "user_annotation", "name": label, "pid": 7, "tid": 7, "ts": ts, "dur": dur])
            events.append(["ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 7, "tid": 7, "ts": ts + idleBefore(name), "dur": max(0, dur - idleBefore(name))])
        }
    }
    let top: [String: Any] = ["schemaVersion": 1, "distributedInfo": ["backend": "gloo", "rank": rank, "world_size": worldSize],
                              "host_name": host, "baseTimeNanoseconds": 1_790_857_026_000_000_000, "traceEvents": events]
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: top).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try ProfilerTrace(path: url.path)
}

/// 1F1B, p = 2, m = 2: F = 100 µs, B = 200 µs, a hand-off of 10 µs, every range of one step written out.
private func oneFOneBSteps(shift: Double = 0, stepLength: Double = 10_000) -> (rank0: [[(String, Double, Double)]], rank1: [[(String, Double, Double)]]) {
    var rank0: [[(String, Double, Double)]] = [], rank1: [[(String, Double, Double)]] = []
    for step in 0..<2 {
        let o = Double(step) * stepLength
        // rank 0: 0F0 0-100, 0F1 100-200, 0B0 520-720, 0B1 930-1130 (after 1B0 ends at 510, 1B1 at 920)
        rank0.append([("PP:0F0", o, 100), ("PP:0SEND_F0", o + 100, 5), ("PP:0F1", o + 105, 100), ("PP:0RECV_B0", o + 205, 5),
                      ("PP:0B0", o + 520, 200), ("PP:0B1", o + 930, 200)])
        // rank 1: 1F0 110-210, 1B0 210-410, 1F1 410-510 (0F1 ended at 205), 1B1 510-710 — on a clock `shift` µs ahead.
        rank1.append([("PP:1RECV_F0", o + 105 + shift, 5), ("PP:1F0", o + 110 + shift, 100), ("PP:1B0", o + 210 + shift, 200),
                      ("PP:1F1", o + 410 + shift, 100), ("PP:1B1", o + 510 + shift, 200), ("PP:1SEND_B1", o + 710 + shift, 5)])
    }
    return (rank0, rank1)
}

@Test func pipelineRangesOfEveryRankBecomeTheScheduleAndOneTimelinePerStep() throws {
    let steps = oneFOneBSteps()
    let imported = try PyTorchTraceImport(traces: [try writeTrace(rank: 1, steps: steps.rank1), try writeTrace(rank: 0, steps: steps.rank0)], name: "traced")
    #expect(imported.schedule.actions(on: 0).map(\.description) == ["0F0", "0F1", "0B0", "0B1"])
    #expect(imported.schedule.actions(on: 1).map(\.description) == ["1F0", "1B0", "1F1", "1B1"])
    #expect(imported.iterations.count == 2 && imported.format == "PP ranges")
    #expect(imported.skipped == ["SEND_F": 2, "RECV_B": 2, "RECV_F": 2, "SEND_B": 2])
    #expect(imported.offsetUncertainty == nil, "one host: one clock")
    for timeline in imported.iterations {
        // ns from the step's first action (0F0 at 0 µs).
        #expect(timeline.start == [0, 105_000, 520_000, 930_000, 110_000, 210_000, 410_000, 510_000])
        #expect(timeline.end == [100_000, 205_000, 720_000, 1_130_000, 210_000, 410_000, 510_000, 710_000])
    }
    #expect(imported.waitsInside == 0)
}

@Test func severalProfilingWindowsOfARankAreTakenTogether() throws {
    // Each rank's two steps written as two files (two profiler sessions of one run), given out of order.
    let steps = oneFOneBSteps()
    let files = [try writeTrace(rank: 1, steps: [steps.rank1[1]]), try writeTrace(rank: 0, steps: [steps.rank0[0]]),
                 try writeTrace(rank: 0, steps: [steps.rank0[1]]), try writeTrace(rank: 1, steps: [steps.rank1[0]])]
    let imported = try PyTorchTraceImport(traces: files, name: "windows")
    #expect(imported.iterations.count == 2)
    for timeline in imported.iterations {
        #expect(timeline.start == [0, 105_000, 520_000, 930_000, 110_000, 210_000, 410_000, 510_000])
    }
    // A window given twice overlaps itself: refused, naming the rank.
    do {
        _ = try PyTorchTraceImport(traces: files + [files[2]], name: "twice")
        Issue.record("a profiling window given twice was accepted")
    } catch {
        #expect(error.description.contains("rank 0's profiled steps overlap"))
    }
    // A rank missing altogether is named.
    do {
        _ = try PyTorchTraceImport(traces: [files[0], files[3]], name: "one rank")
        Issue.record("the files of rank 1 alone were accepted")
    } catch {
        #expect(error.description.contains("ranks [1]"))
    }
}

@Test func clocksOfDifferentHostsAreAlignedFromTheSchedulesWaits() throws {
    // Rank 1's clock runs 5 ms ahead; its host differs, so the offset is estimated from the waits:
    // o1 − o0 ≥ end(0F0) − start(1F0) = 100 − 5110 µs and ≤ start(0B0) − end(1B0) = 520 − 5410 µs,
    // so the offset is the middle, −4950 µs, ± 60 µs.
    let steps = oneFOneBSteps(shift: 5_000)
    let imported = try PyTorchTraceImport(traces: [try writeTrace(rank: 0, host: "a", steps: steps.rank0),
                                                   try writeTrace(rank: 1, host: "b", steps: steps.rank1)], name: "two hosts")
    let uncertainty = try #require(imported.offsetUncertainty)
    #expect(abs(imported.offsets[1] - -5_000_000) <= uncertainty)
    #expect(uncertainty == 60_000 && imported.offsets[1] == -4_950_000)
    let timeline = imported.iterations[0]
    #expect(abs(timeline.start[4] - 110_000) <= uncertainty)
}

@Test func gpipeForwardAndBackwardRangesAreTheRanksStage() throws {
    let rank0 = [[("Forward 0", 0.0, 100.0), ("Forward 1", 100, 100), ("Backward 1", 700, 200), ("Backward 0", 900, 200)]]
    let rank1 = [[("Forward 0", 105.0, 100.0), ("Forward 1", 205, 100), ("Backward 1", 305, 200), ("Backward 0", 505, 190)]]
    let imported = try PyTorchTraceImport(traces: [try writeTrace(rank: 0, steps: rank0), try writeTrace(rank: 1, steps: rank1)], name: "gpipe")
    #expect(imported.format == "Forward/Backward ranges")
    #expect(imported.schedule.actions(on: 1).map(\.description) == ["1F0", "1F1", "1B1", "1B0"])
    #expect(imported.iterations[0].end[7] == 695_000)
}

@Test func rangesThatHoldTheWaitForTheirInputStartWhenItIsReady() throws {
    // 1F0's range opens at 50 µs, while 0F0 runs until 100: PyTorch timed the wait inside it.
    let rank0 = [[("PP:0F0", 0.0, 100.0), ("PP:0B0", 400, 200)]]
    let rank1 = [[("PP:1F0", 50.0, 150.0), ("PP:1B0", 200, 200)]]
    let imported = try PyTorchTraceImport(traces: [try writeTrace(rank: 0, steps: rank0), try writeTrace(rank: 1, steps: rank1)], name: "wait")
    #expect(imported.waitsInside == 1)
    #expect(imported.iterations[0].start[2] == 100_000 && imported.iterations[0].end[2] == 200_000)
}

@Test func anActionStartsAtItsFirstOperator() throws {
    // 0B0's range opens at 400 µs but its first operator runs at 430: the runtime waited for a receive.
    let rank0 = [[("PP:0F0", 0.0, 100.0), ("PP:0B0~idle", 400, 230)]]
    let rank1 = [[("PP:1F0", 100.0, 100.0), ("PP:1B0", 200, 200)]]
    let imported = try PyTorchTraceImport(traces: [try writeTrace(rank: 0, steps: rank0), try writeTrace(rank: 1, steps: rank1)], name: "idle")
    #expect(imported.idleStarts == 1 && imported.waitsInside == 0)
    #expect(imported.iterations[0].start[1] == 430_000 && imported.iterations[0].end[1] == 630_000)
}

@Test func tracesThatDoNotFitTogetherAreRefused() throws {
    let steps = oneFOneBSteps()
    let rank0 = try writeTrace(rank: 0, steps: steps.rank0)
    #expect(throws: TraceImportError.self) { try PyTorchTraceImport(traces: [rank0], name: "x") }                      // world size 2
    #expect(throws: TraceImportError.self) { try PyTorchTraceImport(traces: [rank0, rank0], name: "x") }              // rank 0 twice
    let oneStep = try writeTrace(rank: 1, steps: [steps.rank1[0]])
    #expect(throws: TraceImportError.self) { try PyTorchTraceImport(traces: [rank0, oneStep], name: "x") }            // 2 steps vs 1
    let silent = try writeTrace(rank: 1, steps: [[("aten::mm", 0, 10)], [("aten::mm", 100, 10)]])
    let silentZero = try writeTrace(rank: 0, steps: [[("aten::mm", 0, 10)], [("aten::mm", 100, 10)]])
    do {
        _ = try PyTorchTraceImport(traces: [silentZero, silent], name: "x")
        Issue.record("a trace without pipeline ranges was accepted")
    } catch {
        #expect(error.description.contains("Schedule1F1B"))
    }
}

// torch 2.13.0+cpu, gloo, 2 ranks: Tests/Fixtures/pytorch-trace/README.md has the commands.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pytorch-trace")

@Test func realPyTorchTracesImport() throws {
    func load(_ name: String) throws -> PyTorchTraceImport {
        try PyTorchTraceImport(traces: try (0..<2).map { try ProfilerTrace(path: fixtures.appendingPathComponent("\(name)_rank\($0).json").path) }, name: name)
    }
    let interleaved = try load("Interleaved1F1B_p2_m4")
    #expect(interleaved.schedule.deviceCount == 2 && interleaved.schedule.stageCount == 4 && interleaved.schedule.microbatchCount == 4)
    // 4 stages × 4 micro-batches × (F, B), and the REDUCE_GRAD of each stage.
    #expect(interleaved.schedule.actions.count == 36 && interleaved.skipped["SEND_F"] == 12)
    #expect(interleaved.schedule.actions(on: 0).prefix(4).map(\.description) == ["0F0", "0F1", "2F0", "2F1"])
    let gpipe = try load("GPipe_p2_m4")
    #expect(gpipe.schedule.actions.count == 16 && gpipe.format == "Forward/Backward ranges")
    for timeline in interleaved.iterations + gpipe.iterations {
        #expect(timeline.makespan > 0 && timeline.start.allSatisfy { $0 >= 0 })
    }
}
