/// Why a schedule could not be built, imported or accepted. Every case says what was wrong and how
/// to fix it.
public enum ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is out of its range: (name, value, why).
    case invalidParameter(String, Int, String)
    /// The schedule family cannot be built for these parameters: (family, why and what would work).
    case unsupported(String, String)
    /// The schedule breaks the rules (see `ScheduleProblem`); the first problems found, in order.
    case invalid([ScheduleProblem])
    /// A schedule file is wrong at these places (each names its row and column).
    case csv([CSVIssue])
    /// The schedule would have more actions than the limit allows.
    case tooLarge(ScheduleSize)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, why):
            return "invalid \(name) \(value): \(why)"
        case let .unsupported(family, why):
            return "cannot build \(family): \(why)"
        case let .invalid(problems):
            let shown = problems.prefix(10).map { "  - \($0)" }.joined(separator: "\n")
            let more = problems.count > 10 ? "\n  … and \(problems.count - 10) more" : ""
            return "invalid schedule (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n\(shown)\(more)"
        case let .tooLarge(size):
            return size.description
        case let .csv(issues):
            let shown = issues.prefix(10).map { "  - \($0)" }.joined(separator: "\n")
            let more = issues.count > 10 ? "\n  … and \(issues.count - 10) more" : ""
            return "invalid schedule file (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n\(shown)\(more)"
        }
    }
}

/// One way a schedule can be wrong. `device`/`position` locate the offending action in the device's
/// action list (position counts from 0), so the CSV importer can name the cell.
public enum ScheduleProblem: Equatable, Sendable, CustomStringConvertible {
    /// An action names a stage, replica or micro-batch the schedule does not have.
    case outOfRange(Action, device: Int, position: Int, String)
    /// An action runs on a device that does not hold its stage.
    case wrongDevice(Action, device: Int, position: Int, expected: Int)
    /// The same action appears more than once.
    case duplicate(Action, device: Int, position: Int, firstDevice: Int, firstPosition: Int)
    /// A required action is absent; `device` is where it belongs.
    case missing(Action, device: Int, String)
    /// A stage's micro-batch has both a full backward and a split one (B and I): choose one form.
    case conflictingBackward(Action, device: Int, position: Int, other: Action)
    /// A micro-batch's actions appear in more than one replica (each micro-batch flows through one).
    case splitAcrossReplicas(microbatch: Int, replicas: [Int])
    /// A device runs an action before another action of its own that the first one waits for.
    case outOfOrder(Action, device: Int, position: Int, waitsFor: Action, laterPosition: Int)
    /// Devices wait on each other in a cycle: nothing can run. Each wait: device, the action it is
    /// stuck at, and the action (on the next device of the cycle) it waits for.
    case deadlock([Wait])

    /// A device stuck at `action`, waiting for `waitsFor` on `otherDevice`.
    public struct Wait: Equatable, Sendable, CustomStringConvertible {
        public let device: Int
        public let action: Action
        public let waitsFor: Action
        public let otherDevice: Int
        public var description: String { "device \(device) waits at \(action) for \(waitsFor)" }
    }

    public var description: String {
        switch self {
        case let .outOfRange(action, device, position, why):
            return "\(action) (device \(device), position \(position)): \(why)"
        case let .wrongDevice(action, device, position, expected):
            return "\(action) runs on device \(device) (position \(position)) but its stage lives on device \(expected)"
        case let .duplicate(action, device, position, firstDevice, firstPosition):
            return "\(action) appears twice: device \(firstDevice) position \(firstPosition) and device \(device) position \(position)"
        case let .missing(action, device, why):
            return "\(action) is missing on device \(device): \(why)"
        case let .conflictingBackward(action, device, position, other):
            return "\(action) (device \(device), position \(position)) and \(other) both compute the input gradient: use B alone, or I and W"
        case let .splitAcrossReplicas(microbatch, replicas):
            return "micro-batch \(microbatch) appears in replicas \(replicas.map(String.init).joined(separator: " and ")); a micro-batch flows through one replica"
        case let .outOfOrder(action, device, position, waitsFor, laterPosition):
            return "device \(device) runs \(action) (position \(position)) before \(waitsFor) (position \(laterPosition)), which it waits for: move \(waitsFor) earlier"
        case let .deadlock(waits):
            return "deadlock: " + waits.map(\.description).joined(separator: "; ")
                + " — reorder one of these devices so the awaited action comes first"
        }
    }
}

/// One problem in a schedule file, at a row (a device; 1-based) and, where it concerns one cell, a
/// column (1-based).
public struct CSVIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public let row: Int
    public let column: Int?
    public let cell: String
    public let reason: String

    public init(row: Int, column: Int?, cell: String, reason: String) {
        self.row = row
        self.column = column
        self.cell = cell
        self.reason = reason
    }

    public var description: String {
        guard let column else { return "row \(row): \(reason)" }
        return "row \(row), column \(column) ('\(cell)'): \(reason)"
    }
}
