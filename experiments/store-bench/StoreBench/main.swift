// The Store side of experiments/store-bench (run.sh drives it; see README.md there).
//
//   store-bench store DB EVENTS   records one run of EVENTS events through RunStore.completeRun into a
//                                 new database DB; prints "store EVENTS SECONDS"
//   store-bench prepare DB        creates DB with the Store's schema and one running run for the plain
//                                 C loop to fill; prints the run id
//
// The events are those of a gpipe schedule over 8 devices with EVENTS / 16 micro-batches; action id i
// starts at i × 1000 ns and ends 900 ns later — the same values plain_loop.c writes.
import Foundation
import Schedule
import Store

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("store-bench: " + message + "\n").utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: store-bench store DB EVENTS | prepare DB") }
let path = arguments[2]
do {
    switch arguments[1] {
    case "store":
        guard arguments.count == 4, let events = Int(arguments[3]), events >= 16, events % 16 == 0 else {
            fail("EVENTS must be a positive multiple of 16")
        }
        let schedule = try ScheduleFamily.gpipe.make(devices: 8, microbatches: events / 16)
        let start = (0..<schedule.actions.count).map { Int64($0) * 1_000 }
        let timeline = Timeline(schedule: schedule, start: start, end: start.map { $0 + 900 })
        let store = try RunStore(path: path)
        let id = try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: "{}", host: RunStore.hostDescription(), toolVersion: "bench"))
        let clock = ContinuousClock()
        let began = clock.now
        try store.completeRun(id: id, timeline: timeline)
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("store \(events) \(seconds)")
    case "prepare":
        let schedule = try ScheduleFamily.gpipe.make(devices: 8, microbatches: 1)
        let store = try RunStore(path: path)
        print(try store.beginRun(NewRun(kind: .simulated, schedule: schedule, configJSON: "{}", host: RunStore.hostDescription(), toolVersion: "bench")))
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail(String(describing: error))
}
