/// Why profiler traces could not be imported. Every case names the file or the action and a fix.
public enum TraceImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String, String)
    /// The traces hold no pipeline action ranges (`PP:<action>`, or `Forward i` / `Backward i`).
    case noActions(String)
    /// The ranks' files do not fit together (duplicate ranks, a missing rank, different step counts).
    case inconsistent(String)
    /// The actions found do not form a valid schedule; the message is the schedule file's.
    case invalidSchedule(String)

    public var description: String {
        switch self {
        case let .unreadable(path, why): return "cannot read trace \(path): \(why)"
        case let .noActions(why): return "no pipeline actions in the traces: \(why)"
        case let .inconsistent(why): return "the traces do not fit together: \(why)"
        case let .invalidSchedule(why): return "the traced actions are not a valid schedule: \(why)"
        }
    }
}
