import Foundation
import Schedule
import Store
import Testing

/// Recording runs and reading them back: every event, the stats, and the run row.
@Suite struct RoundTripTests {
    /// The last two write more events than one multi-row INSERT holds (256), and a remainder row by row.
    static let cases: [(ScheduleFamily, Int, Int, Int)] = [
        (.gpipe, 4, 8, 1), (.oneFOneB, 4, 8, 1), (.interleaved, 4, 8, 2), (.chimera, 4, 8, 1), (.oneFOneB, 1, 3, 1),
        (.oneFOneB, 8, 20, 1), (.interleaved, 4, 40, 2),
    ]

    @Test(arguments: cases)
    func simulatedRunRoundTrips(_ family: ScheduleFamily, devices: Int, microbatches: Int, chunks: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let schedule = try makeSchedule(family, devices: devices, microbatches: microbatches, chunks: chunks)
        let timeline = makeTimeline(schedule)
        let id = try store.beginRun(newRun(schedule))
        #expect(try store.run(id: id).status == .running)
        try store.completeRun(id: id, timeline: timeline)

        let back = try store.timeline(runID: id)
        #expect(back.schedule == schedule)
        #expect(back.start == timeline.start)
        #expect(back.end == timeline.end)
        #expect(back.peakMemory == timeline.peakMemory)

        let run = try store.run(id: id)
        #expect(run.status == .completed)
        #expect(run.kind == .simulated)
        #expect(run.schedule == schedule.name && run.actions == schedule.actions.count)
        #expect((run.devices, run.stages, run.replicas, run.microbatches, run.chunks)
                == (devices, schedule.stageCount, schedule.replicaCount, microbatches, chunks))
        #expect(run.makespanNs == timeline.makespan)
        #expect(run.bubbleRatio.map { abs($0 - timeline.bubbleRatio) < 1e-12 } == true)
        #expect(run.configJSON == newRun(schedule).configJSON)
        #expect(run.finishedAt != nil && run.error == nil)

        let stats = try store.deviceStats(runID: id)
        #expect(stats.map(\.device) == Array(0..<devices))
        #expect(stats.map(\.busyNs) == (0..<devices).map { timeline.busy(device: $0) })
        #expect(stats.map(\.idleNs) == (0..<devices).map { timeline.idle(device: $0) })
        #expect(stats.map(\.actions) == (0..<devices).map { schedule.actionRange(of: $0).count })
        #expect(stats.map(\.peakMemoryBytes) == timeline.peakMemory.map { Optional($0) })

        let events = try store.events(runID: id)
        #expect(events.count == schedule.actions.count)
        for event in events {
            let action = schedule.actions[event.actionID]
            #expect(event.device == schedule.device(atIndex: event.actionID))
            #expect(event.op == action.op.token && event.stage == action.stage && event.replica == action.replica)
            #expect(event.microbatch == action.microbatch)
            let held = schedule.placement.stages(on: event.device).filter { $0.replica == action.replica }
            #expect(event.chunk == held.firstIndex { $0.stage == action.stage })
            if family != .chimera { #expect(event.chunk == action.stage / devices) }
        }
    }

    @Test func timelineWithoutMemoryStoresNull() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let schedule = try makeSchedule(.gpipe, devices: 3, microbatches: 2)
        let id = try store.beginRun(newRun(schedule, kind: .executed))
        try store.completeRun(id: id, timeline: makeTimeline(schedule, memory: false))
        #expect(try store.deviceStats(runID: id).allSatisfy { $0.peakMemoryBytes == nil })
        #expect(try store.timeline(runID: id).peakMemory.isEmpty)
        #expect(try scalar(store, "SELECT count(*) FROM device_stats WHERE run_id = \(id) AND peak_memory_bytes IS NULL") == .integer(3))
    }

    @Test func runsAreListedNewestFirstWithFilters() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let gpipe = try makeSchedule(.gpipe, devices: 2, microbatches: 2)
        let oneF = try makeSchedule(.oneFOneB, devices: 2, microbatches: 2)
        let a = try recordRun(store, gpipe, kind: .simulated)
        let b = try recordRun(store, oneF, kind: .executed)
        let c = try recordRun(store, oneF, kind: .simulated)
        let d = try store.beginRun(newRun(gpipe, kind: .executed))
        #expect(try store.runs().map(\.id) == [d, c, b, a])
        #expect(try store.runs(RunFilter(kind: .simulated)).map(\.id) == [c, a])
        #expect(try store.runs(RunFilter(schedule: "1f1b")).map(\.id) == [c, b])
        #expect(try store.runs(RunFilter(kind: .executed, schedule: "gpipe")).map(\.id) == [d])
        #expect(try store.runs(RunFilter(limit: 2)).map(\.id) == [d, c])
        #expect(try store.runs(RunFilter(schedule: "nothing")).isEmpty)
        #expect(try store.run(id: d).status == .running)
    }

    @Test func failedRunKeepsItsError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let id = try store.beginRun(newRun(try makeSchedule(.gpipe, devices: 2, microbatches: 2), kind: .executed))
        try store.failRun(id: id, error: "watchdog: device 1 blocked at 1B0")
        let run = try store.run(id: id)
        #expect(run.status == .failed && run.error == "watchdog: device 1 blocked at 1B0" && run.makespanNs == nil)
        #expect(try store.events(runID: id).isEmpty)
        #expect(throws: StoreError.runNotRunning(id: id, status: .failed)) { try store.failRun(id: id, error: "again") }
    }

    @Test func completingTwiceOrAnUnknownRunIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let schedule = try makeSchedule(.gpipe, devices: 2, microbatches: 2)
        let id = try recordRun(store, schedule)
        #expect(throws: StoreError.runNotRunning(id: id, status: .completed)) {
            try store.completeRun(id: id, timeline: makeTimeline(schedule))
        }
        #expect(throws: StoreError.noSuchRun(id: 999)) { try store.completeRun(id: 999, timeline: makeTimeline(schedule)) }
        #expect(throws: StoreError.noSuchRun(id: 999)) { try store.run(id: 999) }
        #expect(try store.events(runID: id).count == schedule.actions.count)
    }

    @Test func aTimelineOfAnotherScheduleWritesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RunStore(path: directory.path("runs.db"))
        let id = try store.beginRun(newRun(try makeSchedule(.gpipe, devices: 2, microbatches: 2)))
        #expect { try store.completeRun(id: id, timeline: makeTimeline(try makeSchedule(.gpipe, devices: 2, microbatches: 3))) } throws: { error in
            guard case .timelineMismatch(let failed, _) = error as? StoreError else { return false }
            return failed == id
        }
        #expect(try store.run(id: id).status == .running)
        #expect(try scalar(store, "SELECT count(*) FROM events") == .integer(0))
        #expect(try scalar(store, "SELECT count(*) FROM device_stats") == .integer(0))
    }

    @Test func handEditedRowsGiveErrorsNotCrashes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("runs.db")
        let store = try RunStore(path: path)
        let schedule = try makeSchedule(.oneFOneB, devices: 2, microbatches: 4)
        let damaged = try recordRun(store, schedule)
        let retyped = try recordRun(store, schedule)
        try runHelper(["sql", path, "DELETE FROM events WHERE run_id = \(damaged) AND action_id = 3; "
                       + "UPDATE runs SET makespan_ns = 'soon' WHERE id = \(retyped);"])
        #expect { try store.timeline(runID: damaged) } throws: { error in
            guard case .inconsistentRun(let id, _) = error as? StoreError else { return false }
            return id == damaged
        }
        #expect(throws: StoreError.self) { try store.run(id: retyped) }
        #expect(throws: StoreError.self) { try store.runs() }
    }
}
