// A child process for StoreTests: writes runs into a results database so a test can run two writers
// at once, or kill one with SIGKILL in the middle of a run. Also runs raw SQL to build fixtures
// (foreign and "newer" databases) that the Store itself refuses to write.
//
//   store-test-writer complete DB RUNS MICROBATCHES   RUNS completed gpipe runs (4 devices), one line each
//   store-test-writer hang DB COMPLETED MICROBATCHES  COMPLETED small runs, then one big run; prints
//                                                     "writing ID" before completing it (to be killed)
//   store-test-writer sql DB STATEMENTS               executes STATEMENTS on DB (created if missing)
//   store-test-writer lock DB SECONDS                 holds DB's write lock for SECONDS; prints "locked"
import Foundation
import GRDB
import Schedule
import Store

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("store-test-writer: " + message + "\n").utf8))
    exit(1)
}

/// A gpipe schedule over 4 devices with a made-up timeline.
func run(microbatches: Int) -> (NewRun, Timeline) {
    guard let schedule = try? ScheduleFamily.gpipe.make(devices: 4, microbatches: microbatches) else { fail("cannot build schedule") }
    let start = (0..<schedule.actions.count).map { Int64($0) * 1_000 }
    let timeline = Timeline(schedule: schedule, start: start, end: start.map { $0 + 900 }, peakMemory: [1, 2, 3, 4])
    let new = NewRun(kind: .executed, schedule: schedule, configJSON: "{\"writer\": \(getpid())}", host: "test", toolVersion: "test")
    return (new, timeline)
}

func record(_ store: RunStore, microbatches: Int) throws(StoreError) -> Int64 {
    let (new, timeline) = run(microbatches: microbatches)
    let id = try store.beginRun(new)
    try store.completeRun(id: id, timeline: timeline)
    return id
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else { fail("usage: store-test-writer complete|hang|sql|lock DB …") }
let path = arguments[2]
do {
    switch arguments[1] {
    case "complete":
        guard arguments.count == 5, let runs = Int(arguments[3]), let microbatches = Int(arguments[4]) else { fail("complete DB RUNS MICROBATCHES") }
        let store = try RunStore(path: path)
        for _ in 0..<runs { say("completed \(try record(store, microbatches: microbatches))") }
    case "hang":
        guard arguments.count == 5, let completed = Int(arguments[3]), let microbatches = Int(arguments[4]) else { fail("hang DB COMPLETED MICROBATCHES") }
        let store = try RunStore(path: path)
        for _ in 0..<completed { say("completed \(try record(store, microbatches: 8))") }
        let (new, timeline) = run(microbatches: microbatches)
        let id = try store.beginRun(new)
        say("writing \(id)")
        try store.completeRun(id: id, timeline: timeline)
        say("done \(id)")
    case "sql":
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: arguments[3]) }
    case "lock":
        guard arguments.count == 4, let seconds = Double(arguments[3]) else { fail("lock DB SECONDS") }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            say("locked")
            Thread.sleep(forTimeInterval: seconds)
            try db.execute(sql: "ROLLBACK")
        }
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail(String(describing: error))
}
