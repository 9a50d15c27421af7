import ArgumentParser
import Store

/// `stagecraft show RUN`: one run's parameters, summary and per-device table.
struct ShowRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: its parameters, summary and per-device busy, idle and peak memory.")

    @Argument(help: ArgumentHelp("The run id (see 'stagecraft runs').", valueName: "run"))
    var runID: Int64

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    func run() throws {
        let (record, stats) = try CommandText.store { () throws(StoreError) in
            let store = try RunStore(readingFrom: db)
            return (try store.run(id: runID), try store.deviceStats(runID: runID))
        }
        var lines = ["run \(record.id): \(record.kind.rawValue) \(record.schedule), \(record.status.rawValue)"]
        if let error = record.error { lines.append("  error:         \(error)") }
        lines.append("  schedule:      \(record.schedule) — \(record.devices) devices, \(record.stages) stages, "
                     + "\(record.replicas) replica(s), \(record.microbatches) micro-batches, \(record.chunks) chunk(s), \(record.actions) actions")
        lines.append("  recorded:      \(record.createdAt)\(record.finishedAt.map { " → \($0)" } ?? "") by stagecraft \(record.toolVersion)")
        lines.append("  host:          \(record.host)")
        lines.append("  config:        \(record.configJSON)")
        lines.append("  makespan:      \(CommandText.duration(record.makespanNs))")
        lines.append("  bubble ratio:  \(CommandText.percent(record.bubbleRatio)) (Σ idle / (devices × makespan))")
        print(lines.joined(separator: "\n"))
        guard !stats.isEmpty else {
            print("\nno per-device stats: the run is \(record.status.rawValue); only completed runs have them")
            return
        }
        let rows = stats.map { device in
            let share = record.makespanNs.flatMap { $0 > 0 ? Double(device.idleNs) / Double($0) : nil }
            return [String(device.device), String(device.actions), CommandText.duration(device.busyNs), CommandText.duration(device.idleNs),
                    CommandText.percent(share), CommandText.bytes(device.peakMemoryBytes)]
        }
        print("")
        print(CommandText.table(["DEVICE", "ACTIONS", "BUSY", "IDLE", "IDLE %", "PEAK MEMORY"], rows, rightAligned: [0, 1, 2, 3, 4, 5]))
    }
}
