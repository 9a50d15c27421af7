import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on standard error for work that takes more than a moment (executor iterations,
/// sweeps, long simulations).
///
/// It draws only when standard error is a terminal (`isatty(2)`): in pipes, files and CI logs it
/// writes nothing at all. Updates may come from any thread; redraws are throttled to one per
/// `minimumInterval` (the final one, on completion or `finish()`, is always drawn).
public final class ProgressBar: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock` only.
    private let lock = NSLock()
    private let total: Int
    private let label: String
    private let minimumInterval: Duration
    private let write: (@Sendable (String) -> Void)?
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var completed = 0
    private var lastDraw: ContinuousClock.Instant?
    private var finished = false

    /// A bar for `total` units of work named `label`, drawn on standard error when it is a terminal.
    public convenience init(total: Int, label: String, minimumInterval: Duration = .milliseconds(100)) {
        var write: (@Sendable (String) -> Void)?
        if isatty(2) == 1 {
            write = { text in FileHandle.standardError.write(Data(text.utf8)) }
        }
        self.init(total: total, label: label, minimumInterval: minimumInterval, write: write)
    }

    /// A bar that sends its redraws to `write`, or draws nothing when `write` is nil.
    init(total: Int, label: String, minimumInterval: Duration, write: (@Sendable (String) -> Void)?) {
        self.total = max(total, 0)
        self.label = label
        self.minimumInterval = minimumInterval
        self.write = write
        self.started = clock.now
    }

    /// Whether the bar draws anything (standard error is a terminal).
    public var isEnabled: Bool { write != nil }

    /// Records `count` more units done.
    public func advance(by count: Int = 1) {
        update { $0 += count }
    }

    /// Records that `completed` units are done in all.
    public func set(completed: Int) {
        update { $0 = completed }
    }

    /// Draws the final state and moves to a new line; later updates are ignored.
    public func finish() {
        guard let write else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        write(line() + "\n")
    }

    private func update(_ change: (inout Int) -> Void) {
        guard let write else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        change(&completed)
        completed = min(max(completed, 0), total)
        let now = clock.now
        if completed < total, let lastDraw, now - lastDraw < minimumInterval { return }
        lastDraw = now
        write(line())
    }

    /// `\r` + erase line + `label [#####.....]  42/100  42%  3.1 s, ~4.2 s left`.
    private func line() -> String {
        let width = 30
        let fraction = total == 0 ? 1 : Double(completed) / Double(total)
        let filled = min(width, Int((fraction * Double(width)).rounded(.down)))
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var text = "\r\u{1B}[2K\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        text += "\(completed)/\(total) " + Formatting.fixed(fraction * 100, decimals: 0) + "% " + Formatting.fixed(seconds, decimals: 1) + " s"
        if completed > 0 && completed < total {
            text += ", ~" + Formatting.fixed(seconds * Double(total - completed) / Double(completed), decimals: 1) + " s left"
        }
        return text
    }
}
