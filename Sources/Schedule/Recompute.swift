extension Schedule {
    /// The same schedule with full activation recomputation (Chen et al., "Training Deep Nets with
    /// Sublinear Memory Cost", 2016; Megatron-LM's full recompute): every stage keeps only its input
    /// after a forward and re-runs the forward (`R`, `Op.recompute`) right before the micro-batch's
    /// backward (`B`, or `I` of a split backward) on the same device. Nothing else moves, so the
    /// transformation applies to any schedule — generated, imported or already split — and is what
    /// `--recompute` does on the command line.
    ///
    /// Micro-batches the schedule already recomputes keep their `R` where it is. The name gains
    /// `+recompute` (`1f1b+recompute`), so recorded runs tell the two forms apart. A schedule with
    /// nothing left to recompute (forward-only, or already recomputing every backward) comes back
    /// unchanged, so applying it twice is applying it once.
    ///
    /// Cost: one more forward per micro-batch and stage (`CostModel.recompute`, by default the
    /// forward's duration), on the critical path of the backward. Memory: between a forward and its
    /// recompute a stage holds only `CostModel.checkpointBytes` of the micro-batch, not its
    /// `activationBytes`.
    public func recomputingActivations() -> Schedule {
        // Usually nothing is recomputed yet: then every backward gets its R, without a set to ask
        // (tune builds this for half its candidates).
        var present = Set<Action>()
        for action in actions where action.op == .recompute { present.insert(action) }
        func recomputeMissing(before action: Action) -> Action? {
            guard action.op.producesInputGrad else { return nil }
            let recompute = Action(.recompute, stage: action.stage, microbatch: action.microbatch, replica: action.replica)
            return present.isEmpty || !present.contains(recompute) ? recompute : nil
        }
        let added = actions.reduce(0) { $0 + (recomputeMissing(before: $1) != nil ? 1 : 0) }
        guard added > 0 else { return self }
        var offsets = [0]
        offsets.reserveCapacity(deviceCount + 1)
        let flat = [Action](unsafeUninitializedCapacity: actions.count + added) { flat, initialized in
            for device in 0..<deviceCount {
                for action in actions(on: device) {
                    if let recompute = recomputeMissing(before: action) {
                        flat.initializeElement(at: initialized, to: recompute)
                        initialized += 1
                    }
                    flat.initializeElement(at: initialized, to: action)
                    initialized += 1
                }
                offsets.append(initialized)
            }
        }
        return Schedule(name: name + "+recompute", placement: placement, microbatchCount: microbatchCount, actions: flat, deviceOffsets: offsets)
    }

    /// Whether any micro-batch is recomputed (`R`) before its backward.
    public var recomputes: Bool { actions.contains { $0.op == .recompute } }
}
