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
        switch format {
        case .csv:
            var text = columns.joined(separator: ",") + "\n"
            text.reserveCapacity(events.count * 40)
            for event in events {
                text += "\(event.actionID),\(event.device),\(event.replica),\(event.stage),\(event.chunk),\(event.microbatch),"
                    + "\(event.op),\(event.startNs),\(event.endNs)\n"
            }
            return text
        case .json:
            var text = "{\n  \"run\": {\"id\": \(run.id), \"kind\": \(JSONText.string(run.kind.rawValue)), "
                + "\"schedule\": \(JSONText.string(run.schedule)), \"devices\": \(run.devices), \"stages\": \(run.stages), "
                + "\"replicas\": \(run.replicas), \"microbatches\": \(run.microbatches), \"chunks\": \(run.chunks), "
                + "\"status\": \(JSONText.string(run.status.rawValue))},\n  \"events\": ["
            text.reserveCapacity(events.count * 120)
            for (index, event) in events.enumerated() {
                text += index == 0 ? "\n    " : ",\n    "
                text += "{\"action_id\": \(event.actionID), \"device\": \(event.device), \"replica\": \(event.replica), "
                    + "\"stage\": \(event.stage), \"chunk\": \(event.chunk), \"microbatch\": \(event.microbatch), "
                    + "\"op\": \(JSONText.string(event.op)), \"start_ns\": \(event.startNs), \"end_ns\": \(event.endNs)}"
            }
            return text + (events.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        }
    }
}
