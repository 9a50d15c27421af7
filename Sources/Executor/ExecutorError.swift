import Schedule

/// Why the threaded executor could not run, or stopped. Every case says what was wrong and how to fix it.
public enum ExecutorError: Error, Sendable, CustomStringConvertible {
    /// The model does not fit the schedule or is malformed: (what was wrong and how to fix it).
    case invalidModel(String)
    /// The schedule cannot be executed: (what was wrong and how to fix it).
    case invalidSchedule(String)
    /// The run options are out of range: (what was wrong and how to fix it).
    case invalidOptions(String)
    /// No action finished for `timeout` seconds in iteration `iteration`; the state of every device.
    case stalled(timeout: Double, iteration: Int, devices: [DeviceState])
    /// A device thread failed while running `action` in iteration `iteration`; all devices were stopped.
    case deviceFailed(device: Int, action: Action, iteration: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalidModel(why):
            return "invalid model: \(why)"
        case let .invalidSchedule(why):
            return "cannot execute the schedule: \(why)"
        case let .invalidOptions(why):
            return "invalid executor options: \(why)"
        case let .stalled(timeout, iteration, devices):
            let lines = devices.map { "  - \($0)" }.joined(separator: "\n")
            return "stalled: no action finished for \(timeout) s in iteration \(iteration); all devices were stopped.\n"
                + lines
                + "\nIf the waits form a cycle the schedule deadlocks: validate it (stagecraft schedule validate) and reorder "
                + "the devices so the awaited actions come first; if actions legitimately take longer, raise --stall-timeout."
        case let .deviceFailed(device, action, iteration, reason):
            return "device \(device) failed at \(action) in iteration \(iteration): \(reason); all devices were stopped"
        }
    }
}

/// What one device was doing when the run stopped.
public struct DeviceState: Sendable, Equatable, CustomStringConvertible {
    /// The device.
    public let device: Int
    /// Its situation.
    public let situation: Situation

    public init(device: Int, situation: Situation) {
        self.device = device
        self.situation = situation
    }

    /// Where a device stood.
    public enum Situation: Sendable, Equatable {
        /// Blocked before `action`, which waits for `waitsFor` (each unfinished predecessor and its device).
        case blocked(action: Action, waitsFor: [Wait])
        /// Computing `action` (it had started and not yet finished).
        case running(action: Action)
        /// Done with its actions for the iteration.
        case finished
        /// Not started yet, or waiting for the other devices at the iteration boundary.
        case idle
    }

    /// One unfinished action that a blocked action waits for.
    public struct Wait: Sendable, Equatable, CustomStringConvertible {
        public let action: Action
        public let device: Int

        public init(action: Action, device: Int) {
            self.action = action
            self.device = device
        }

        public var description: String { "\(action) on device \(device)" }
    }

    public var description: String {
        switch situation {
        case let .blocked(action, waits):
            return "device \(device) is blocked at \(action), waiting for "
                + waits.map(\.description).joined(separator: " and ")
        case let .running(action):
            return "device \(device) is running \(action)"
        case .finished:
            return "device \(device) finished its actions"
        case .idle:
            return "device \(device) is idle"
        }
    }
}
