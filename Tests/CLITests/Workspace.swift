import Foundation
import TestSupport
import Testing

/// What a finished `stagecraft` process left: its exit, its output and its error output.
struct Finished: CustomStringConvertible {
    /// The exit status; nil when a signal ended it (a crash) or the deadline passed (a hang).
    let status: Int32?
    let signal: Int32?
    let timedOut: Bool
    let stdout: String
    let stderr: String

    var description: String {
        let end = timedOut ? "hung" : signal.map { "killed by signal \($0)" } ?? "exit \(status ?? -1)"
        return "\(end)\nstdout: \(stdout.prefix(2_000))\nstderr: \(stderr.prefix(2_000))"
    }
}

/// A temporary folder the commands run in, removed at the end.
final class Workspace: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("stagecraft-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    /// The file's bytes, or nil when it does not exist.
    func contents(_ name: String) -> Data? { FileManager.default.contents(atPath: path(name)) }

    /// Runs `executable ARGUMENTS` in this folder, killing it after `deadline` seconds.
    func run(_ executable: String = "stagecraft", _ arguments: [String], environment: [String: String] = [:],
             deadline: Double = 120) throws -> Finished {
        let process = Process()
        process.executableURL = try Built.executable(executable)
        process.arguments = arguments
        process.currentDirectoryURL = url
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Files, not pipes: a full pipe would block the child while we wait for it.
        let out = url.appendingPathComponent(".stdout-\(UUID().uuidString)"), err = url.appendingPathComponent(".stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        let timedOut = done.wait(timeout: .now() + deadline) == .timedOut
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        try outHandle.close()
        try errHandle.close()
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let signaled = process.terminationReason == .uncaughtSignal
        return Finished(status: signaled ? nil : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                        timedOut: timedOut, stdout: String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
                        stderr: String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
    }

    /// Runs `stagecraft ARGUMENTS` and fails the test unless it exits 0.
    @discardableResult
    func succeed(_ arguments: [String], environment: [String: String] = [:]) throws -> Finished {
        let finished = try run("stagecraft", arguments, environment: environment)
        #expect(finished.status == 0, "stagecraft \(arguments.joined(separator: " ")): \(finished)")
        return finished
    }

    /// Runs `stagecraft ARGUMENTS` and parses its standard output as a JSON object.
    func json(_ arguments: [String]) throws -> [String: Any] {
        let finished = try succeed(arguments)
        guard let object = try JSONSerialization.jsonObject(with: Data(finished.stdout.utf8)) as? [String: Any] else {
            throw NotAnObject(output: finished.stdout)
        }
        return object
    }

    struct NotAnObject: Error, CustomStringConvertible {
        let output: String
        var description: String { "standard output is not a JSON object: \(output.prefix(500))" }
    }
}
