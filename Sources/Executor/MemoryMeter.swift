/// Counts the bytes of per-micro-batch tensors (activations and activation gradients) one device holds,
/// and the peak. Owned and touched by one device thread only.
///
/// What is counted, with A = rows per micro-batch × hidden × 4 bytes and k = layers of the stage (see
/// `ThreadedExecutor` for the full definition): `F` takes (k + 1)·A — the stage's input and each
/// layer's output — and keeps it until the micro-batch's `W` (or `B`); `I` takes k·A — the gradient
/// of each layer's output — kept until `W`, plus, on stages other than the first, a transient A for
/// the input gradient it sends, released when `I` ends; `W` releases the (2k + 1)·A of its
/// micro-batch; `B` is `I` then `W`. A forward whose micro-batch is recomputed (`R`) keeps only the
/// input's A once it ends, releasing k·A, and its `R` takes the k·A again from its start. Weights,
/// weight gradients and tensors in flight between devices are not counted.
struct MemoryMeter {
    private(set) var current: Int64 = 0
    private(set) var peak: Int64 = 0

    /// Starts holding `bytes`.
    @inline(__always)
    mutating func hold(_ bytes: Int64) {
        current += bytes
        if current > peak { peak = current }
    }

    /// Stops holding `bytes`.
    @inline(__always)
    mutating func release(_ bytes: Int64) { current -= bytes }

    /// Holds `bytes` for a moment (a tensor created and sent within one action).
    @inline(__always)
    mutating func touch(_ bytes: Int64) {
        if current + bytes > peak { peak = current + bytes }
    }

    /// Starts a new iteration's peak from what is held now.
    mutating func resetPeak() { peak = current }
}
