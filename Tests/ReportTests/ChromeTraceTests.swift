import Foundation
import Testing
import Schedule
@testable import Report

@Test(arguments: ["1f1b", "interleaved", "chimera"])
func chromeTraceHasOneCompleteEventPerActionInMicroseconds(family: String) throws {
    let schedule = try #require(try acceptanceSchedules().first { $0.name == family })
    // Shift the timeline so the trace must subtract the origin.
    var timeline = try asapTimeline(schedule) { Int64($0 % 7) }
    timeline.start = timeline.start.map { $0 + 5_000 }
    timeline.end = timeline.end.map { $0 + 5_000 }
    let data = try ChromeTrace(RunTimeline(timeline, kind: .measured, runID: 3)).json()
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let events = try #require(root["traceEvents"] as? [[String: Any]])
    let complete = events.filter { $0["ph"] as? String == "X" }
    #expect(complete.count == schedule.actions.count)
    for (id, event) in complete.enumerated() {
        let action = schedule.actions[id]
        #expect(event["name"] as? String == action.description)
        let ts = try #require((event["ts"] as? NSNumber)?.doubleValue), dur = try #require((event["dur"] as? NSNumber)?.doubleValue)
        #expect(ts == Double(timeline.start[id] - 5_000) / 1_000, "ts in µs from the first action")
        #expect(dur == Double(timeline.end[id] - timeline.start[id]) / 1_000, "dur in µs")
        #expect(event["pid"] as? Int == schedule.device(atIndex: id))
        #expect(event["tid"] as? Int == 0)
        let args = try #require(event["args"] as? [String: Any])
        #expect(args["stage"] as? Int == action.stage)
        #expect(args["replica"] as? Int == action.replica)
        #expect(args["op"] as? String == action.op.token)
        #expect(args["microbatch"] as? Int == (action.op.isPerMicrobatch ? action.microbatch : nil))
    }
    // A uniform-cost forward lasts 1 ms = 1000 µs (plus the few ns of fake jitter).
    let forward = try #require(complete.first { ($0["name"] as? String)?.contains("F") == true })
    #expect(abs(((forward["dur"] as? NSNumber)?.doubleValue ?? 0) - 1_000) < 0.01)
    // Processes are named "device N".
    let names = events.filter { $0["ph"] as? String == "M" && $0["name"] as? String == "process_name" }
        .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
    #expect(names == (0..<schedule.deviceCount).map { "device \($0)" })
    let other = try #require(root["otherData"] as? [String: Any])
    #expect(other["schedule"] as? String == family && other["kind"] as? String == "measured" && other["run"] as? Int == 3)
}

@Test func chromeTraceCanPutEachStageOnItsOwnTrack() throws {
    let schedule = try ScheduleFamily.interleaved.make(devices: 4, microbatches: 8, chunks: 2)
    let trace = ChromeTrace(RunTimeline(try asapTimeline(schedule), kind: .predicted), tracks: .perStage)
    let complete = trace.events.filter { $0.phase == "X" }
    #expect(complete.map(\.tid) == schedule.actions.map(\.stage))
    let threads = trace.events.filter { $0.name == "thread_name" }
    #expect(threads.count == schedule.stageCount)
}
