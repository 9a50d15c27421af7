import Foundation

/// Writes a command's output file: atomically (a reader never sees half a file), or to standard output
/// when no path is given, with a message that says what is wrong with a path that cannot be written.
enum OutputFile {
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        try check(path)
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError("cannot write \(path): \(reason(error)); check that its folder is writable and has space")
        }
    }

    /// Writes what `body` produces piece by piece: to standard output, or to a temporary file next to
    /// `path` that replaces it only when everything was written (a reader never sees half a file).
    static func stream(to path: String?, _ body: (_ write: @escaping (String) throws -> Void) throws -> Void) throws {
        guard let path else {
            try body { try FileHandle.standardOutput.write(contentsOf: Data($0.utf8)) }
            return
        }
        try check(path)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = try? FileHandle(forWritingTo: temporary) else {
            throw CommandError("cannot write \(path): cannot create a file in its folder; check that the folder is writable")
        }
        do {
            try body { try handle.write(contentsOf: Data($0.utf8)) }
            try handle.close()
            // rename(2) replaces the destination atomically, whether or not it exists.
            guard rename(temporary.path, path) == 0 else { throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))") }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error is CommandError ? error : CommandError("cannot write \(path): \(reason(error)); check that its folder is writable and has space")
        }
    }

    /// Refuses a directory and a path whose folder does not exist, before anything is computed or written.
    static func check(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandError("cannot write \(path): it is a directory; give a file path inside it, e.g. \(path)/out")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw CommandError("cannot write \(path): the folder \(folder) does not exist; create it first")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }
}
