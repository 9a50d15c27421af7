import Foundation

/// The package's executables as `swift build` left them, for tests that run them as child processes.
public enum Built {
    /// The executable `name` (a product of this package) from the build folder the test binary runs in:
    /// searched next to it and up to four folders above (the test bundle sits inside it on Linux).
    public static func executable(_ name: String) throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for start in candidates {
            var directory = start
            for _ in 0..<5 {
                let file = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: file.path) { return file }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw Missing(name: name)
    }

    /// No such executable was built.
    public struct Missing: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "\(name) not found next to the test binary; build it: swift build --product \(name)" }
    }
}
