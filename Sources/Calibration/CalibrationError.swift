/// Why a calibration could not run.
public enum CalibrationError: Error, CustomStringConvertible, Equatable {
    /// A setting is out of range; the message names it and says what to give.
    case invalidSettings(String)
    /// The executor refused the configuration or failed while measuring.
    case executor(String)

    public var description: String {
        switch self {
        case let .invalidSettings(reason): "cannot calibrate: \(reason)"
        case let .executor(reason): "calibration run failed: \(reason)"
        }
    }
}
