import Foundation
import Simulator

/// A baseline as committed next to a user's code: cases and the results they had when saved. JSON with
/// sorted keys and one value per line, so a change to it reads as a small diff.
///
/// ```json
/// {
///   "cases" : [
///     { "name" : "1f1b p4 m8", "schedule" : "1f1b", "devices" : 4, "microbatches" : 8,
///       "cost_model" : { "forward" : 1000000, "backward" : 2000000 },
///       "results" : { "makespan_ns" : 33000000, "bubble_ratio" : 0.2727, "peak_memory_bytes" : 0 } }
///   ],
///   "format" : "stagecraft-baseline/1",
///   "name" : "seed",
///   "tolerances" : { "makespan_ns" : { "relative" : 0.01 } }
/// }
/// ```
public struct BaselineFile: Codable, Equatable, Sendable {
    /// The format this version writes and reads.
    public static let currentFormat = "stagecraft-baseline/1"

    public var format: String
    public var name: String
    /// Tolerances of every case, per metric; absent metrics take `Tolerance.defaults`.
    public var tolerances: [String: Tolerance]?
    public var cases: [BaselineCase]

    public init(name: String, cases: [BaselineCase], tolerances: [String: Tolerance]? = nil) {
        format = Self.currentFormat
        self.name = name
        self.cases = cases
        self.tolerances = tolerances
    }

    /// Reads and checks a baseline file: the format, unique case names, each case complete.
    public static func read(_ path: String) throws(BaselineError) -> BaselineFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .unreadable(path, "cannot read it: no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path, "cannot read it: permission denied") }
        return try decode(data, file: path)
    }

    /// Decodes and checks a baseline from JSON (`file` names it in errors).
    public static func decode(_ data: Data, file: String) throws(BaselineError) -> BaselineFile {
        let baseline: BaselineFile
        do { baseline = try JSONDecoder().decode(BaselineFile.self, from: data) } catch let error as DecodingError {
            throw .unreadable(file, Self.explain(error))
        } catch {
            throw .unreadable(file, error.localizedDescription)
        }
        guard baseline.format == currentFormat else {
            throw .unreadable(file, "format '\(baseline.format)' is not \(currentFormat); a newer Stagecraft wrote it, or it is not a baseline")
        }
        guard !baseline.cases.isEmpty else { throw .unreadable(file, "it has no cases; list at least one under \"cases\"") }
        var seen = Set<String>()
        for item in baseline.cases {
            guard seen.insert(item.name).inserted else { throw .unreadable(file, "two cases are named '\(item.name)'; give every case its own name") }
            try item.checkShape(file: file)
        }
        for (metric, tolerance) in baseline.tolerances ?? [:] { try tolerance.check(metric: metric, file: file) }
        return baseline
    }

    /// The stable text form: sorted keys, pretty-printed, a final newline.
    public func encoded() throws(BaselineError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do { return try encoder.encode(self) + Data("\n".utf8) } catch {
            throw .unwritable(name, error.localizedDescription)
        }
    }

    /// The tolerance of `metric` for `item`: the case's own, else the file's, else the default.
    public func tolerance(_ metric: Metric, for item: BaselineCase) -> Tolerance {
        item.tolerances?[metric.rawValue] ?? tolerances?[metric.rawValue] ?? metric.defaultTolerance(measured: item.measured != nil)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context)) lacks \"\(key.stringValue)\""
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(path(context).isEmpty ? "the file" : path(context)): \(context.debugDescription)"
        @unknown default: return error.localizedDescription
        }
    }
}
