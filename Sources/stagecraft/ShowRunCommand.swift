import ArgumentParser
import Store

/// `stagecraft show RUN`: one run's parameters, summary and per-device table.
struct ShowRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: its parameters, summary, per-device busy, idle and peak memory, and how its iterations varied.")

    @Argument(help: ArgumentHelp("The run id (see 'stagecraft runs').", valueName: "run"))
    var runID: Int64

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    @Flag(help: "Print the run, its per-device table and its measured spread as JSON (shape in README.md, \"JSON output\").")
    var json = false

    func run() throws {
        let (record, stats, measurement) = try CommandText.store { () throws(StoreError) in
            let store = try RunStore(readingFrom: db)
            return (try store.run(id: runID), try store.deviceStats(runID: runID), try store.measurement(runID: runID))
        }
        if json {
            print(try CommandText.json(RunRecordJSON.Detail(record: record, stats: stats, measurement: measurement), what: "the run"))
            return
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
        if let measurement {
            let m = measurement.spread.makespan
            func ms(_ ns: Double) -> String { CommandText.duration(Int64(ns.rounded())) }
            lines.append("  timeline:      \(measurement.timeline) of \(measurement.spread.kept) kept iterations (\(measurement.spread.iterations) measured; \(measurement.rule))")
            lines.append("  iterations:    makespan median \(ms(m.median)), quartiles \(ms(m.q1))–\(ms(m.q3)), "
                         + "95% CI of the median \(ms(m.ciLow))–\(ms(m.ciHigh))")
        }
        print(lines.joined(separator: "\n"))
        guard !stats.isEmpty else {
            print("\nno per-device stats: the run is \(record.status.rawValue); only completed runs have them")
            return
        }
        let spread = measurement?.spread
        let rows = stats.map { device in
            let share = record.makespanNs.flatMap { $0 > 0 ? Double(device.idleNs) / Double($0) : nil }
            var row = [String(device.device), String(device.actions), CommandText.duration(device.busyNs), CommandText.duration(device.idleNs),
                       CommandText.percent(share), CommandText.bytes(device.peakMemoryBytes)]
            if let spread, device.device < spread.busy.count {
                let busy = spread.busy[device.device], bubble = spread.bubble[device.device]
                row += [CommandText.duration(Int64(busy.q1.rounded())) + "–" + CommandText.duration(Int64(busy.q3.rounded())),
                        CommandText.percent(bubble.q1) + "–" + CommandText.percent(bubble.q3)]
            }
            return row
        }
        print("")
        var header = ["DEVICE", "ACTIONS", "BUSY", "IDLE", "IDLE %", "PEAK MEMORY"]
        if spread != nil { header += ["BUSY Q1–Q3", "IDLE % Q1–Q3"] }
        print(CommandText.table(header, rows, rightAligned: Set(0..<6)))
    }
}
