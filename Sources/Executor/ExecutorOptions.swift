#if canImport(Glibc)
import Glibc
#endif
import Schedule

/// How the threaded executor runs a schedule (the model is `MLPConfiguration`).
public struct ExecutorOptions: Sendable {
    /// Seconds without any action finishing after which the run stops with `ExecutorError.stalled`.
    public var stallTimeout: Double
    /// Stop with `ExecutorError.deviceFailed` when a micro-batch's loss is NaN or infinite.
    public var failOnNaN: Bool
    /// Inference only: run the schedule's forwards, no backward, no step.
    public var forwardOnly: Bool
    /// Emulated link between devices; nil: transfers cost only their copy.
    public var link: LinkEmulation?
    /// Validate the schedule (`Schedule.validate()`) before running. Turn off only to exercise the
    /// watchdog with a schedule known to deadlock: an invalid schedule then stalls or computes garbage,
    /// but never hangs.
    public var validatesSchedule: Bool
    /// A deliberate failure, for tests and failure drills.
    public var fault: FaultInjection?

    public init(stallTimeout: Double = 30, failOnNaN: Bool = false, forwardOnly: Bool = false,
                link: LinkEmulation? = nil, validatesSchedule: Bool = true, fault: FaultInjection? = nil) {
        self.stallTimeout = stallTimeout
        self.failOnNaN = failOnNaN
        self.forwardOnly = forwardOnly
        self.link = link
        self.validatesSchedule = validatesSchedule
        self.fault = fault
    }

    func validate() throws(ExecutorError) {
        if let fault, fault.kind == .stall {
            throw .invalidOptions("a stall drill holds a device thread forever; it is available with --backend mpi only")
        }
        guard stallTimeout.isFinite, stallTimeout > 0 else {
            throw .invalidOptions("--stall-timeout \(stallTimeout): give a positive number of seconds")
        }
        if let link {
            guard link.latency.isFinite, link.latency >= 0 else {
                throw .invalidOptions("--link-latency \(link.latency): give zero or a positive number of seconds")
            }
            if let bandwidth = link.bandwidth {
                guard bandwidth.isFinite, bandwidth > 0 else {
                    throw .invalidOptions("--link-bandwidth \(bandwidth): give a positive number of bytes per second")
                }
            }
        }
    }
}

/// An emulated link between devices: a tensor sent at time t is usable by the receiver at
/// t + latency + bytes / bandwidth. The copy itself is always real.
public struct LinkEmulation: Sendable, Equatable {
    /// Seconds per transfer.
    public var latency: Double
    /// Bytes per second; nil for unlimited.
    public var bandwidth: Double?

    public init(latency: Double = 0, bandwidth: Double? = nil) {
        self.latency = latency
        self.bandwidth = bandwidth
    }

    /// Nanoseconds a transfer of `bytes` takes.
    func delay(bytes: Int64) -> Int64 {
        let seconds = latency + (bandwidth.map { Double(bytes) / $0 } ?? 0)
        return Int64((seconds * 1e9).rounded())
    }
}

/// Makes one action throw instead of running, so tests can show that a failing device stops the run
/// cleanly.
public struct FaultInjection: Sendable, Equatable {
    /// Iteration (0-based, counted over the executor's lifetime) in which to fail.
    public var iteration: Int
    /// The action that fails.
    public var action: Action
    /// The failure's message.
    public var message: String
    /// How the action fails.
    public var kind: Kind

    /// A failure drill: the action throws (`error`), the process dies at once (`exit`, as a crash or a
    /// kill would end it), or the action never finishes (`stall`; MPI backend only: a thread that never
    /// returns would hold the threaded executor).
    public enum Kind: String, Sendable, CaseIterable {
        case error, exit, stall
    }

    public init(iteration: Int = 0, action: Action, message: String = "injected fault", kind: Kind = .error) {
        self.iteration = iteration
        self.action = action
        self.message = message
        self.kind = kind
    }

    /// Carries out an `exit` or `stall` drill (an `error` drill is thrown by the caller).
    func strike() {
        switch kind {
        case .error: return
        case .exit: _exit(137)
        case .stall: while true { sleep(3600) }
        }
    }
}
