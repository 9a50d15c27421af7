import Executor
import Testing

@Suite("BLASKernel")
struct BLASKernelTests {
    @Test("AVX-512 kernels on AMD give way to Haswell's; Intel's choice and other kernels are kept")
    func preferredKernel() {
        #expect(BLASKernel.preferred(over: "Cooperlake", vendor: "AuthenticAMD") == "Haswell")
        #expect(BLASKernel.preferred(over: "SkylakeX", vendor: "AuthenticAMD") == "Haswell")
        #expect(BLASKernel.preferred(over: "SapphireRapids", vendor: "AuthenticAMD") == "Haswell")
        #expect(BLASKernel.preferred(over: "Zen", vendor: "AuthenticAMD") == nil)
        #expect(BLASKernel.preferred(over: "Haswell", vendor: "AuthenticAMD") == nil)
        #expect(BLASKernel.preferred(over: "Cooperlake", vendor: "GenuineIntel") == nil)
        #expect(BLASKernel.preferred(over: "SkylakeX", vendor: "") == nil)
    }

    @Test("the kernel set in use is named")
    func currentIsNamed() {
        #expect(!BLASKernel.current.isEmpty)
        #expect(BLASKernel.current != "unknown")
    }
}
