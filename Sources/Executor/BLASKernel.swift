#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import Foundation

/// Which of OpenBLAS's kernel sets computes the executor's GEMMs.
///
/// Debian's OpenBLAS is built for every x86 CPU and picks its kernels by CPU model when it loads. On AMD
/// processors with AVX-512 (Zen 4 and later) it picks Intel's SkylakeX/Cooperlake kernels, but Zen 4
/// executes 512-bit instructions as two 256-bit halves, and there OpenBLAS 0.3.21's AVX2 (Haswell) sgemm
/// is faster: 94 against 70 GFLOP/s for 32 × 1024 × 1024 on this project's machine, and a 1F1B step of
/// an 8 × 1024 MLP took 97 ms instead of 127 (`experiments/executor-bench/blas-kernels.sh`). OpenBLAS reads
/// its choice (`OPENBLAS_CORETYPE`) only when it loads, so the choice is made by starting the process anew.
public enum BLASKernel {
    /// The kernel set OpenBLAS uses in this process, e.g. "Haswell".
    public static var current: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Set by the user to force a kernel set; Stagecraft then keeps it.
    public static let environmentVariable = "OPENBLAS_CORETYPE"

    /// The kernel set Stagecraft prefers over `loaded` on a CPU from `vendor`, or nil to keep OpenBLAS's.
    public static func preferred(over loaded: String, vendor: String) -> String? {
        let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
        guard vendor == "AuthenticAMD", avx512Kernels.contains(loaded.lowercased()) else { return nil }
        return "Haswell"
    }

    /// The CPU vendor string of /proc/cpuinfo ("GenuineIntel", "AuthenticAMD"), or "" when unknown.
    public static func cpuVendor() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "" }
        for line in text.split(separator: "\n") where line.hasPrefix("vendor_id") {
            return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return ""
    }

    /// Starts this program anew with the preferred kernel set when OpenBLAS picked a slower one and the
    /// user did not choose. Call it first thing in `main`, before any thread or MPI starts; it returns
    /// when nothing is to change (or the restart failed, which leaves OpenBLAS's own choice).
    public static func restartWithPreferredKernel() {
        guard ProcessInfo.processInfo.environment[environmentVariable] == nil,
              let kernel = preferred(over: current, vendor: cpuVendor()) else { return }
        setenv(environmentVariable, kernel, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(environmentVariable)
    }
}
