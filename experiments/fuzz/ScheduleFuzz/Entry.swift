// Built two ways. With -DFUZZING and -sanitize=fuzzer (experiments/fuzz/run.sh), libFuzzer calls
// LLVMFuzzerTestOneInput with its inputs; STAGECRAFT_FUZZ_TARGET picks the reader. Without, it is a
// replayer: `schedule-fuzz csv|cost-model FILE…` runs each file through the same checks, so a crashing
// input found by the fuzzer can be replayed and kept as a regression test.
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
private let target: FuzzedReader = {
    let name = getenv("STAGECRAFT_FUZZ_TARGET").map { String(cString: $0) } ?? "csv"
    guard let target = FuzzedReader(rawValue: name) else { fatalError("STAGECRAFT_FUZZ_TARGET must be csv or cost-model") }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    target.run(UnsafeRawBufferPointer(start: data, count: count))
    return 0
}

/// libFuzzer's driver (libclang_rt.fuzzer), called from our own entry point: SwiftPM links an executable
/// target's entry as `<target>_main` and defines `main` as that symbol, so libFuzzer's `main` is never
/// linked in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("schedule_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOne)
}
#else
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let first = arguments.first, let target = FuzzedReader(rawValue: first), arguments.count >= 2 else {
            print("usage: schedule-fuzz csv|cost-model FILE…")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                print("cannot read \(path)")
                exit(2)
            }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let read = fread(&buffer, 1, buffer.count, file)
                if read == 0 { break }
                bytes += buffer[0..<read]
            }
            fclose(file)
            bytes.withUnsafeBytes { target.run($0) }
            print("ok \(path)")
        }
    }
}
#endif
