import Foundation
import Schedule
import Store
import TestSupport
import Testing

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("StoreTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names of the files in the directory, sorted.
    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Builds a schedule of a family, failing the test when the parameters are wrong.
func makeSchedule(_ family: ScheduleFamily, devices: Int, microbatches: Int, chunks: Int = 1) throws -> Schedule {
    try family.make(devices: devices, microbatches: microbatches, chunks: chunks)
}

/// A made-up but irregular timeline of `schedule`: durations depend on the op and the device,
/// devices start at different times, and peak memory is given per device when `memory` is set.
func makeTimeline(_ schedule: Schedule, memory: Bool = true) -> Timeline {
    var start = [Int64](repeating: 0, count: schedule.actions.count)
    var end = start
    for device in 0..<schedule.deviceCount {
        var clock = Int64(device) * 1_337
        for id in schedule.actionRange(of: device) {
            clock += Int64(id % 3) * 11
            start[id] = clock
            clock += 1_000 + Int64(schedule.actions[id].op.rawValue) * 500 + Int64(device) * 7
            end[id] = clock
        }
    }
    let peaks = memory ? (0..<schedule.deviceCount).map { Int64(1 << 20) * Int64($0 + 1) + 17 } : []
    return Timeline(schedule: schedule, start: start, end: end, peakMemory: peaks)
}

/// A `NewRun` for `schedule`.
func newRun(_ schedule: Schedule, kind: RunKind = .simulated) -> NewRun {
    NewRun(kind: kind, schedule: schedule, configJSON: #"{"forward_ns": 1000, "note": "a \"quoted\" value"}"#,
           host: "test host", toolVersion: "0.0.test")
}

/// Records a complete run and returns its id.
@discardableResult
func recordRun(_ store: RunStore, _ schedule: Schedule, kind: RunKind = .simulated) throws -> Int64 {
    let id = try store.beginRun(newRun(schedule, kind: kind))
    try store.completeRun(id: id, timeline: makeTimeline(schedule))
    return id
}

/// The single value of a one-row, one-column query.
func scalar(_ store: RunStore, _ sql: String) throws -> SQLValue? {
    try store.query(sql).rows.first?.first
}

/// A running `store-test-writer` whose standard output is read line by line.
final class HelperProcess {
    let process = Process()
    private let output = Pipe()
    private var buffer = ""

    init(_ arguments: [String]) throws {
        process.executableURL = try Built.executable("store-test-writer")
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
    }

    /// Reads output until a line starts with `prefix`; returns that line, or nil at end of output.
    func waitForLine(startingWith prefix: String) -> String? {
        while true {
            let lines = buffer.split(separator: "\n", omittingEmptySubsequences: true)
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { return nil }
            buffer += String(decoding: data, as: UTF8.self)
        }
    }

    /// Waits for the process to end and returns everything it printed.
    func finish() -> String {
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        buffer += String(decoding: rest, as: UTF8.self)
        process.waitUntilExit()
        return buffer
    }
}

/// Runs `store-test-writer ARGUMENTS` to the end; fails the test unless it exits 0.
func runHelper(_ arguments: [String]) throws {
    let helper = try HelperProcess(arguments)
    let output = helper.finish()
    #expect(helper.process.terminationStatus == 0, "store-test-writer \(arguments) failed: \(output)")
}
