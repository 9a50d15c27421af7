import Schedule

/// Why a simulation could not run. Every case says what was wrong and how to fix it.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The schedule failed `Schedule.validate()`.
    case invalidSchedule(ScheduleError)
    /// The cost model was rejected for this schedule.
    case invalidCostModel(CostModelError)
    /// An action names a stage or replica the schedule's placement lacks (only reachable when
    /// validation is skipped).
    case actionOutOfRange(Action, device: Int, position: Int)
    /// The run could take longer than 64-bit nanoseconds can count: (upper bound in ns).
    case tooLong(Double)
    /// The memory held could exceed what 64-bit byte counts hold: (upper bound in bytes).
    case tooMuchMemory(Double)
    /// Some device could not run its next action: it waits, directly or not, for an action that can
    /// never run (only reachable when validation is skipped). `waitsFor` is on `otherDevice`.
    case stalled(device: Int, action: Action, waitsFor: Action, otherDevice: Int)

    public var description: String {
        switch self {
        case let .invalidSchedule(error):
            return error.description
        case let .invalidCostModel(error):
            return error.description
        case let .actionOutOfRange(action, device, position):
            return "\(action) on device \(device), position \(position), names a stage or replica the placement lacks: "
                + "run `stagecraft schedule validate` on the schedule"
        case let .tooLong(bound):
            return "the iteration could last up to \(bound) ns, beyond 64-bit nanoseconds: lower the durations or the number of micro-batches"
        case let .tooMuchMemory(bound):
            return "a device could hold up to \(bound) bytes, beyond 64-bit byte counts: lower activationBytes (--activation-bytes) or weightBytes (--weight-bytes)"
        case let .stalled(device, action, waitsFor, otherDevice):
            return "simulation stalled: device \(device) waits at \(action) for \(waitsFor) on device \(otherDevice), which never runs; "
                + "the schedule deadlocks — validate it (Schedule.validate() or `stagecraft schedule validate`) to see the cycle"
        }
    }
}
