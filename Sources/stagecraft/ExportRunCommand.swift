import ArgumentParser
import Foundation
import Store

extension EventExport.Format: ExpressibleByArgument {}

/// `stagecraft export RUN --format csv|json`: the events of one run.
struct ExportRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the events of a completed run (one per action, with start and end in ns) as CSV or JSON, or draw it (SVG Gantt chart, Chrome trace).")

    @Argument(help: ArgumentHelp("The run id (see 'stagecraft runs').", valueName: "run"))
    var runID: Int64

    @Option(help: "Output format: csv or json (the events), svg (Gantt chart) or chrome (trace for Perfetto and chrome://tracing).")
    var format: ExportFormat = .events(.csv)

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Option(help: "Results database (SQLite) to read.")
    var db: String = "stagecraft.db"

    func run() throws {
        let eventFormat: EventExport.Format
        switch format {
        case let .drawing(drawing): return try OutputFile.write(try RunGraphics.render(drawing, runID: runID, db: db), to: output)
        case let .events(events): eventFormat = events
        }
        let store = try CommandText.store { () throws(StoreError) in try RunStore(readingFrom: db) }
        let record = try CommandText.store { () throws(StoreError) in try store.run(id: runID) }
        guard record.status == .completed else {
            throw CommandError("run \(runID) is \(record.status.rawValue); only completed runs have events to export (see 'stagecraft show \(runID)')")
        }
        // Streamed as SQLite reads the events: a run of millions of actions is never held in memory.
        try OutputFile.stream(to: output) { write in
            var writer = EventExport.Writer(eventFormat, run: record, write: write)
            try CommandText.store { () throws(StoreError) in try store.forEachEvent(runID: runID) { try writer.add($0) } }
            try writer.finish()
        }
    }
}
