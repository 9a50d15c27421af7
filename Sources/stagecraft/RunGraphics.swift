import ArgumentParser
import Foundation
import Report
import Schedule
import Store

/// Stored runs drawn by the Report target: loading a run as a `RunTimeline` and writing text to a
/// file or standard output. Shared by `export --format svg|chrome` and `report`.
enum RunGraphics {
    /// The completed run `runID` of the database at `db`, with its description.
    static func load(_ runID: Int64, db: String) throws -> RunTimeline {
        let (store, record) = try CommandText.store { () throws(StoreError) in
            let store = try RunStore(readingFrom: db)
            return (store, try store.run(id: runID))
        }
        guard record.status == .completed else {
            throw CommandError("run \(runID) is \(record.status.rawValue); only completed runs have events to draw (see 'stagecraft show \(runID)')")
        }
        let timeline = try CommandText.store { () throws(StoreError) in try store.timeline(runID: runID) }
        return RunTimeline(record: record, timeline: timeline)
    }

    /// The Gantt chart of run `runID` as a standalone SVG document.
    static func svg(_ runID: Int64, db: String) throws -> String {
        GanttSVG(try load(runID, db: db)).render()
    }

    /// The Chrome trace (Perfetto, chrome://tracing) of run `runID`.
    static func chromeTrace(_ runID: Int64, db: String) throws -> String {
        do {
            return String(decoding: try ChromeTrace(try load(runID, db: db)).json(), as: UTF8.self) + "\n"
        } catch let error as ReportError {
            throw CommandError("run \(runID): \(error.description)")
        }
    }
}

extension RunGraphics {
    /// The drawings of a run that `export` writes besides its event tables.
    enum Drawing: String, CaseIterable {
        /// Gantt chart, standalone SVG.
        case svg
        /// Chrome trace JSON (Perfetto, chrome://tracing).
        case chrome
    }

    /// Drawing `drawing` of run `runID` as text.
    static func render(_ drawing: Drawing, runID: Int64, db: String) throws -> String {
        switch drawing {
        case .svg: try svg(runID, db: db)
        case .chrome: try chromeTrace(runID, db: db)
        }
    }
}

/// The formats `stagecraft export` writes: the Store's event tables (csv, json) and the Report's
/// drawings (svg, chrome).
enum ExportFormat: ExpressibleByArgument, Equatable {
    case events(EventExport.Format)
    case drawing(RunGraphics.Drawing)

    init?(argument: String) {
        if let format = EventExport.Format(rawValue: argument) {
            self = .events(format)
        } else if let drawing = RunGraphics.Drawing(rawValue: argument) {
            self = .drawing(drawing)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case let .events(format): format.rawValue
        case let .drawing(drawing): drawing.rawValue
        }
    }

    static var allValueStrings: [String] {
        EventExport.Format.allCases.map(\.rawValue) + RunGraphics.Drawing.allCases.map(\.rawValue)
    }
}
