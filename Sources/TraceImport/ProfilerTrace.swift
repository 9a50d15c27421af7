import Foundation

/// One rank's `torch.profiler` Chrome trace, reduced to what a pipeline import needs: the complete
/// (`"ph": "X"`) ranges — user annotations and operators — with their start and duration, the rank and
/// the host.
///
/// The file is the JSON that `prof.export_chrome_trace(…)` writes: `traceEvents` (each `{"ph", "cat",
/// "name", "pid", "tid", "ts", "dur"}`, times in µs as floats on the host's clock), `distributedInfo`
/// (`rank`, `world_size`) and `host_name`; one file per rank.
public struct ProfilerTrace: Sendable {
    /// A `"ph": "X"` range: name, start and duration in ns (the µs floats of the file, rounded).
    public struct Range: Sendable {
        public let name: String
        /// `user_annotation`, `cpu_op`, …
        public let category: String
        public let start: Int64
        public let duration: Int64
    }

    public let path: String
    public let rank: Int?
    public let worldSize: Int?
    public let host: String?
    public let ranges: [Range]

    /// Reads a trace file; throws `TraceImportError.unreadable` naming the file and what is wrong.
    public init(path: String) throws(TraceImportError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path, "no such file or not readable")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .unreadable(path, "not JSON (\(error.localizedDescription)); give the file prof.export_chrome_trace() wrote")
        }
        // Chrome's format allows a bare array of events as well as the object form.
        let top = object as? [String: Any]
        guard let events = (top?["traceEvents"] ?? object) as? [Any] else {
            throw .unreadable(path, "no 'traceEvents' list: this is not a Chrome trace")
        }
        let info = top?["distributedInfo"] as? [String: Any]
        rank = info?["rank"] as? Int
        worldSize = info?["world_size"] as? Int
        host = top?["host_name"] as? String
        var ranges: [Range] = []
        for case let event as [String: Any] in events where event["ph"] as? String == "X" {
            guard let name = event["name"] as? String, let ts = event["ts"] as? Double, let dur = event["dur"] as? Double,
                  ts.isFinite, dur.isFinite, dur >= 0, abs(ts) < 9e15 else { continue }
            ranges.append(Range(name: name, category: event["cat"] as? String ?? "", start: Int64((ts * 1_000).rounded()), duration: Int64((dur * 1_000).rounded())))
        }
        self.ranges = ranges
    }
}
