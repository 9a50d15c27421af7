/// The events of a run as CSV or JSON, for `stagecraft export`.
public enum EventExport {
    /// The formats `export` writes.
    public enum Format: String, Sendable, CaseIterable {
        case csv, json
    }

    /// The column names, as in the `events` table.
    public static let columns = ["action_id", "device", "replica", "stage", "chunk", "microbatch", "op", "start_ns", "end_ns"]

    /// The events as text in `format`: CSV with a header row, or a JSON object with the run's
    /// parameters under `run` and one object per event under `events`.
    public static func render(_ events: [EventRecord], of run: RunRecord, as format: Format) -> String {
        var text = ""
        var writer = Writer(format, run: run) { text += $0 }
        // Appending to a string cannot fail, so neither can the writer: nothing is lost to `try?`.
        for event in events { try? writer.add(event) }
        try? writer.finish()
        return text
    }

    /// Writes the events of a run as they arrive (`RunStore.forEachEvent`), in pieces of about 64 KiB,
    /// in the text `render` gives.
    public struct Writer {
        private let format: Format
        private let write: (String) throws -> Void
        private var buffer: String
        private var count = 0

        public init(_ format: Format, run: RunRecord, write: @escaping (String) throws -> Void) {
            self.format = format
            self.write = write
            switch format {
            case .csv:
                buffer = EventExport.columns.joined(separator: ",") + "\n"
            case .json:
                buffer = "{\n  \"run\": {\"id\": \(run.id), \"kind\": \(JSONText.string(run.kind.rawValue)), "
                    + "\"schedule\": \(JSONText.string(run.schedule)), \"devices\": \(run.devices), \"stages\": \(run.stages), "
                    + "\"replicas\": \(run.replicas), \"microbatches\": \(run.microbatches), \"chunks\": \(run.chunks), "
                    + "\"status\": \(JSONText.string(run.status.rawValue))},\n  \"events\": ["
            }
        }

        public mutating func add(_ event: EventRecord) throws {
            switch format {
            case .csv:
                buffer += "\(event.actionID),\(event.device),\(event.replica),\(event.stage),\(event.chunk),\(event.microbatch),"
                    + "\(event.op),\(event.startNs),\(event.endNs)\n"
            case .json:
                buffer += count == 0 ? "\n    " : ",\n    "
                buffer += "{\"action_id\": \(event.actionID), \"device\": \(event.device), \"replica\": \(event.replica), "
                    + "\"stage\": \(event.stage), \"chunk\": \(event.chunk), \"microbatch\": \(event.microbatch), "
                    + "\"op\": \(JSONText.string(event.op)), \"start_ns\": \(event.startNs), \"end_ns\": \(event.endNs)}"
            }
            count += 1
            if buffer.utf8.count >= 65_536 {
                try write(buffer)
                buffer = ""
            }
        }

        public mutating func finish() throws {
            if format == .json { buffer += count == 0 ? "]\n}\n" : "\n  ]\n}\n" }
            try write(buffer)
            buffer = ""
        }
    }
}
