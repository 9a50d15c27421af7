import Foundation
import Schedule
import Store
import Testing

/// Writers that share one database file lose nothing.
@Suite struct ConcurrencyTests {
    @Test func twoConnectionsOnTwoThreadsLoseNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        let stores = [try RunStore(path: path), try RunStore(path: path)]
        let schedule = try makeSchedule(.oneFOneB, devices: 4, microbatches: 16)
        let perThread = 15
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for _ in 0..<perThread {
                do {
                    let id = try stores[thread].beginRun(newRun(schedule, kind: thread == 0 ? .simulated : .executed))
                    try stores[thread].completeRun(id: id, timeline: makeTimeline(schedule))
                } catch {
                    failures.add(String(describing: error))
                }
            }
        }
        #expect(failures.all.isEmpty)
        let reader = try RunStore(readingFrom: path)
        let runs = try reader.runs()
        #expect(runs.count == 2 * perThread)
        #expect(runs.allSatisfy { $0.status == .completed })
        #expect(try reader.runs(RunFilter(kind: .executed)).count == perThread)
        #expect(try scalar(reader, "SELECT count(*) FROM events") == .integer(Int64(2 * perThread * schedule.actions.count)))
        #expect(try scalar(reader, "SELECT count(*) FROM device_stats") == .integer(Int64(2 * perThread * 4)))
        #expect(try scalar(reader, "PRAGMA integrity_check") == .text("ok"))
    }

    @Test func twoProcessesLoseNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        // Both processes create and migrate the same new file at the same moment.
        let writers = [try HelperProcess(["complete", path, "12", "64"]), try HelperProcess(["complete", path, "12", "64"])]
        let outputs = writers.map { $0.finish() }
        for (writer, output) in zip(writers, outputs) {
            #expect(writer.process.terminationStatus == 0, "writer failed: \(output)")
        }
        let reported = outputs.flatMap { $0.split(separator: "\n").filter { $0.hasPrefix("completed ") } }
        #expect(reported.count == 24)
        let reader = try RunStore(readingFrom: path)
        let runs = try reader.runs()
        #expect(runs.count == 24 && runs.allSatisfy { $0.status == .completed })
        #expect(Set(runs.map { "completed \($0.id)" }) == Set(reported.map(String.init)))
        #expect(try scalar(reader, "SELECT count(*) FROM events") == .integer(24 * 4 * 2 * 64))
        #expect(try scalar(reader, "PRAGMA integrity_check") == .text("ok"))
    }
}

/// Error messages collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
