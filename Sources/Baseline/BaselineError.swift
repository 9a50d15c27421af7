/// Why a baseline could not be read, run or written; every message names the file or case.
public enum BaselineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is not a readable baseline: (file, what is wrong).
    case unreadable(String, String)
    /// A case could not be run: (case, why).
    case caseFailed(String, String)
    /// The baseline could not be written: (file, why).
    case unwritable(String, String)

    public var description: String {
        switch self {
        case let .unreadable(file, why): "\(file): \(why)"
        case let .caseFailed(name, why): "case '\(name)': \(why)"
        case let .unwritable(file, why): "cannot write \(file): \(why)"
        }
    }
}
