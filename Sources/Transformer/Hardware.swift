/// An accelerator and its links, as the simulator needs them: how fast a GEMM of a given shape runs, how
/// much memory there is, and what a transfer between pipeline stages costs inside and between nodes.
///
/// A GEMM's time is a roofline (Williams, Waterman, Patterson, "Roofline", CACM 2009): the larger of its
/// FLOPs at `peakFLOPS` × `efficiency` and its operands' bytes at `memoryBandwidth`. So small GEMMs
/// (short sequences, small micro-batches, narrow layers) are memory-bound and run below the efficiency,
/// large ones at it. `efficiency` is the fraction of peak that large GEMMs reach: give the MFU you
/// measured (`--mfu`) for a prediction of your own cluster.
public struct Hardware: Codable, Equatable, Sendable {
    public var name: String
    /// Dense peak FLOP/s at the model's precision (bf16/fp16 tensor cores), without sparsity.
    public var peakFLOPS: Double
    /// Fraction of the peak that large GEMMs reach.
    public var efficiency: Double
    /// Device memory bandwidth in bytes/s.
    public var memoryBandwidth: Double
    /// Device memory in bytes.
    public var memoryBytes: Double
    public var gpusPerNode: Int
    /// Per-direction bandwidth (bytes/s) and latency (ns) between two GPUs of one node.
    public var intraNodeBandwidth: Double
    public var intraNodeLatency: Double
    /// Per-GPU bandwidth (bytes/s) and latency (ns) between nodes.
    public var interNodeBandwidth: Double
    public var interNodeLatency: Double

    public init(name: String, peakFLOPS: Double, efficiency: Double, memoryBandwidth: Double, memoryBytes: Double, gpusPerNode: Int,
                intraNodeBandwidth: Double, intraNodeLatency: Double, interNodeBandwidth: Double, interNodeLatency: Double) {
        self.name = name
        self.peakFLOPS = peakFLOPS
        self.efficiency = efficiency
        self.memoryBandwidth = memoryBandwidth
        self.memoryBytes = memoryBytes
        self.gpusPerNode = gpusPerNode
        self.intraNodeBandwidth = intraNodeBandwidth
        self.intraNodeLatency = intraNodeLatency
        self.interNodeBandwidth = interNodeBandwidth
        self.interNodeLatency = interNodeLatency
    }

    /// Nanoseconds of a GEMM (rows × inner) · (inner × columns) with `bytes`-byte values.
    public func gemmTime(rows: Double, columns: Double, inner: Double, bytes: Double) -> Double {
        let compute = 2 * rows * columns * inner / (peakFLOPS * efficiency)
        let traffic = (rows * inner + inner * columns + rows * columns) * bytes / memoryBandwidth
        return max(compute, traffic) * 1e9
    }

    /// Checks that every figure is a positive finite number and the efficiency a fraction.
    public func validate() throws(TransformerError) {
        let figures: [(String, Double)] = [("peakFLOPS", peakFLOPS), ("memoryBandwidth", memoryBandwidth), ("memoryBytes", memoryBytes),
                                           ("intraNodeBandwidth", intraNodeBandwidth), ("interNodeBandwidth", interNodeBandwidth)]
        for (field, value) in figures where !(value.isFinite && value > 0) {
            throw .invalidHardware("\(field) is \(value); give a positive number")
        }
        for (field, value) in [("intraNodeLatency", intraNodeLatency), ("interNodeLatency", interNodeLatency)] where !(value.isFinite && value >= 0) {
            throw .invalidHardware("\(field) is \(value); give 0 or more nanoseconds")
        }
        guard efficiency.isFinite, efficiency > 0, efficiency <= 1 else {
            throw .invalidHardware("efficiency is \(efficiency); give the fraction of peak FLOP/s that large GEMMs reach, in (0, 1]")
        }
        guard gpusPerNode >= 1 else { throw .invalidHardware("gpusPerNode is \(gpusPerNode); give at least 1") }
    }
}

/// Named accelerators. Peak FLOP/s, memory, memory bandwidth and NVLink bandwidth are NVIDIA's data-sheet
/// figures (SXM parts, dense bf16, per direction for NVLink: half the quoted bidirectional total); the
/// inter-node figure is one InfiniBand NIC per GPU (HDR 200 Gb/s for A100, NDR 400 Gb/s for H100/H200,
/// as in DGX systems). Latencies are not data-sheet figures: 3 µs inside a node and 5 µs between nodes
/// are typical measured point-to-point latencies, stated as assumptions. `efficiency` 0.5 is an
/// assumption near Megatron-LM's 52% of peak for GPT-3 175B on A100 (Narayanan et al., SC'21, Table 1);
/// give your own measured MFU.
extension Hardware {
    /// NVIDIA A100 80GB SXM: 312 TFLOP/s bf16, 80 GB HBM2e at 2,039 GB/s, NVLink 600 GB/s.
    public static let a100 = Hardware(name: "a100-80gb", peakFLOPS: 312e12, efficiency: 0.5, memoryBandwidth: 2.039e12,
                                      memoryBytes: 80e9, gpusPerNode: 8, intraNodeBandwidth: 300e9, intraNodeLatency: 3_000,
                                      interNodeBandwidth: 25e9, interNodeLatency: 5_000)
    /// NVIDIA H100 SXM: 989 TFLOP/s bf16 dense, 80 GB HBM3 at 3.35 TB/s, NVLink 900 GB/s.
    public static let h100 = Hardware(name: "h100-sxm", peakFLOPS: 989e12, efficiency: 0.5, memoryBandwidth: 3.35e12,
                                      memoryBytes: 80e9, gpusPerNode: 8, intraNodeBandwidth: 450e9, intraNodeLatency: 3_000,
                                      interNodeBandwidth: 50e9, interNodeLatency: 5_000)
    /// NVIDIA H200 SXM: 989 TFLOP/s bf16 dense, 141 GB HBM3e at 4.8 TB/s, NVLink 900 GB/s.
    public static let h200 = Hardware(name: "h200", peakFLOPS: 989e12, efficiency: 0.5, memoryBandwidth: 4.8e12,
                                      memoryBytes: 141e9, gpusPerNode: 8, intraNodeBandwidth: 450e9, intraNodeLatency: 3_000,
                                      interNodeBandwidth: 50e9, interNodeLatency: 5_000)

    public static let presets: [Hardware] = [a100, h100, h200]
}
