import Foundation
import Schedule
import Store
import Testing

/// A writer killed with SIGKILL in the middle of a run.
@Suite struct CrashTests {
    @Test func writerKilledMidRunLeavesAConsistentDatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        // Three small completed runs, then one of 2 M events, killed while its transaction is open.
        let writer = try HelperProcess(["hang", path, "3", "250000"])
        let line = try #require(writer.waitForLine(startingWith: "writing "), "the writer stopped early: \(writer.finish())")
        let killedID = try #require(Int64(line.dropFirst("writing ".count)))
        // The transaction is open once the uncommitted events spill into the WAL file.
        let wal = path + "-wal"
        let walAtStart = fileSize(wal)
        while writer.process.isRunning && fileSize(wal) < walAtStart + 4 << 20 { usleep(2_000) }
        #expect(writer.process.isRunning, "the writer finished before it could be killed; give it more micro-batches")
        kill(writer.process.processIdentifier, SIGKILL)
        let output = writer.finish()
        #expect(writer.process.terminationReason == .uncaughtSignal && writer.process.terminationStatus == SIGKILL)
        #expect(!output.contains("done"))

        // Reading (no repair): integrity holds, earlier runs intact, the killed one shown as interrupted.
        let reader = try RunStore(readingFrom: path)
        #expect(try scalar(reader, "PRAGMA integrity_check") == .text("ok"))
        let runs = try reader.runs()
        #expect(runs.map(\.id) == [killedID, killedID - 1, killedID - 2, killedID - 3])
        #expect(runs.dropFirst().allSatisfy { $0.status == .completed && $0.actions == 64 })
        for run in runs.dropFirst() {
            #expect(try reader.events(runID: run.id).count == 64)
            #expect(try reader.timeline(runID: run.id).schedule.actions.count == 64)
        }
        let killed = try reader.run(id: killedID)
        #expect(killed.status == .interrupted)
        #expect(killed.error?.contains("pid \(writer.process.processIdentifier)") == true)
        #expect(try scalar(reader, "SELECT count(*) FROM events WHERE run_id = \(killedID)") == .integer(0))
        #expect(try scalar(reader, "SELECT count(*) FROM device_stats WHERE run_id = \(killedID)") == .integer(0))

        // The next writer records the interruption in the file itself.
        let store = try RunStore(path: path)
        #expect(try scalar(store, "SELECT status FROM runs WHERE id = \(killedID)") == .text("interrupted"))
        #expect(try store.run(id: killedID).status == .interrupted)
        #expect(throws: StoreError.runNotRunning(id: killedID, status: .interrupted)) { try store.failRun(id: killedID, error: "late") }
        #expect(try scalar(store, "PRAGMA integrity_check") == .text("ok"))
    }

    @Test func aLiveWritersRunStaysRunning() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        let store = try RunStore(path: path)
        let id = try store.beginRun(newRun(try makeSchedule(.gpipe, devices: 2, microbatches: 2)))
        // A second writer opening the file must not take this process's run for a dead one.
        let other = try RunStore(path: path)
        #expect(try other.run(id: id).status == .running)
        #expect(try scalar(other, "SELECT status FROM runs WHERE id = \(id)") == .text("running"))
    }

    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
