/// Why a report could not be rendered. Every case says what was wrong and how to fix it.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A renderer was given no timeline to draw.
    case noTimelines
    /// The trace could not be encoded as JSON: (what the encoder said).
    case encodingFailed(String)

    public var description: String {
        switch self {
        case .noTimelines:
            return "nothing to render: give at least one run (a prediction, a measurement, or both)"
        case let .encodingFailed(reason):
            return "could not encode the trace as JSON: \(reason); check that every time is finite"
        }
    }
}
