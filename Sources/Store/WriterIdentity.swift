import Foundation

/// The process that began a run: its pid, host name and (on Linux) start time.
///
/// A run row stays `running` until its writer completes or fails it. If the writer dies first, the row
/// is left `running`; it is recognised as interrupted when it was written on this host and its process
/// no longer exists (or is a zombie, or the pid now belongs to a process started at another time).
/// Runs written on another host cannot be checked and stay `running`.
struct WriterIdentity: Sendable, Hashable {
    var pid: Int64
    var host: String
    /// The process start time in clock ticks since boot (`/proc/PID/stat` field 22); nil where unknown.
    var started: String?

    /// This process.
    static let current: WriterIdentity = {
        let pid = Int64(getpid())
        return WriterIdentity(pid: pid, host: hostName(), started: processStatus(pid: pid)?.started)
    }()

    /// Whether this writer's process is known to be gone. False when it may still be running,
    /// including whenever it ran on another host.
    var isGone: Bool {
        let me = WriterIdentity.current
        guard host == me.host else { return false }
        if pid == me.pid && started == me.started { return false }
        guard pid > 0, pid <= Int64(Int32.max) else { return true }
        if kill(pid_t(pid), 0) != 0 && errno == ESRCH { return true }
        guard let status = WriterIdentity.processStatus(pid: pid) else {
            // No /proc (macOS): kill(2) said it exists.
            return false
        }
        if status.state == "Z" || status.state == "X" { return true }
        if let started, let now = status.started, started != now { return true }
        return false
    }

    /// The host name of this machine.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// State letter and start time of a process, from `/proc/PID/stat`; nil where there is none.
    static func processStatus(pid: Int64) -> (state: String, started: String?)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let text = String(data: data, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state (3), ppid (4), … starttime (22).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard let state = fields.first else { return nil }
        return (String(state), fields.count > 19 ? String(fields[19]) : nil)
    }
}
