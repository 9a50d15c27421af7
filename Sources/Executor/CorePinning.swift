#if canImport(Glibc)
import Glibc
#endif

/// Pins a device thread to one core (Linux). With one thread per core and nothing pinned, the
/// scheduler's wake-up placement can put two device threads on one core until its load balancer
/// separates them again, milliseconds later — iterations then randomly take up to 1.5× longer, which
/// no cost model predicts. Elsewhere pinning does nothing.
enum CorePinning {
    /// Restricts the calling thread to core `core`; returns whether the system accepted it.
    @discardableResult
    static func pinCurrentThread(to core: Int) -> Bool {
        #if os(Linux)
        var set = cpu_set_t()
        let bitsPerWord = MemoryLayout<UInt>.size * 8
        let ok = withUnsafeMutableBytes(of: &set) { raw -> Bool in
            let words = raw.bindMemory(to: UInt.self)
            guard core >= 0, core / bitsPerWord < words.count else { return false }
            words[core / bitsPerWord] |= 1 << UInt(core % bitsPerWord)
            return true
        }
        // glibc declares sched_setaffinity only under _GNU_SOURCE, which Swift does not see: look it up.
        typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
        guard ok, let symbol = dlsym(nil, "sched_setaffinity") else { return false }
        let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
        return withUnsafePointer(to: &set) { setAffinity(0, MemoryLayout<cpu_set_t>.size, $0) } == 0
        #else
        return false
        #endif
    }
}
