import Foundation

/// The memory the executor allocates for a model and schedule, computed before allocating any of it, so
/// that a model too large for the machine is refused with its size instead of failing an allocation.
///
/// Floats held at once (4 bytes each), for L layers of width h, a batch of b rows, S stages and R
/// replicas: the initial parameters L(h² + h) and, per replica, weights and weight gradients 2L(h² + h);
/// inputs and targets twice (the generated arrays and their buffers) 4bh; per replica and stage, a slot
/// of every micro-batch's input, layer outputs and their gradients, R·b·h·(2L + S) in all.
public enum ExecutorFootprint {
    /// Bytes the executor needs, or nil when the count does not even fit in an `Int`.
    public static func bytes(model: MLPConfiguration, stages: Int, replicas: Int) -> Int? {
        let h = model.hidden, L = model.layers, b = model.batch
        guard let square = h.multiplied(h), let layer = square.added(h), let parameters = layer.multiplied(L),
              let copies = (1 + 2 * replicas).multiplied(parameters),
              let rowFloats = b.multiplied(h), let data = rowFloats.multiplied(4),
              let perReplicaDepth = (2 * L).added(stages), let slots = rowFloats.multiplied(perReplicaDepth),
              let allSlots = slots.multiplied(replicas),
              let floats = copies.added(data).flatMap({ $0.added(allSlots) }) else { return nil }
        return floats.multiplied(4)
    }

    /// The most the executor may allocate: 80% of the machine's physical memory, leaving room for the
    /// operating system, the database and the rest of the process.
    public static var limit: Int { Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.8) }

    /// Throws `invalidModel` naming the size and the limit when the model does not fit.
    static func check(model: MLPConfiguration, stages: Int, replicas: Int) throws(ExecutorError) {
        let limit = limit
        let needed = bytes(model: model, stages: stages, replicas: replicas)
        if let needed, needed <= limit { return }
        let size = needed.map { gibibytes($0) } ?? "more than \(gibibytes(Int.max))"
        throw .invalidModel("the model needs \(size) of memory (--layers \(model.layers), --hidden \(model.hidden), --batch \(model.batch), \(stages) stage(s)\(replicas > 1 ? " × \(replicas) replicas" : "")), above the limit of \(gibibytes(limit)) (80% of this machine's memory); use a smaller --hidden, --layers or --batch")
    }

    private static func gibibytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_073_741_824
        return value >= 10 ? "\(Int(value.rounded())) GiB" : "\((value * 100).rounded() / 100) GiB"
    }
}

private extension Int {
    func multiplied(_ other: Int) -> Int? {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? nil : value
    }

    func added(_ other: Int) -> Int? {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? nil : value
    }
}
