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
        var present = Set<Action>()
        for action in actions where action.op == .recompute { present.insert(action) }
        let missing = actions.contains { $0.op.producesInputGrad
            && !present.contains(Action(.recompute, stage: $0.stage, microbatch: $0.microbatch, replica: $0.replica)) }
        guard missing else { return self }
        let lists = (0..<deviceCount).map { device in
            var list: [Action] = []
            list.reserveCapacity(actions(on: device).count * 4 / 3 + 1)
            for action in actions(on: device) {
                if action.op.producesInputGrad {
                    let recompute = Action(.recompute, stage: action.stage, microbatch: action.microbatch, replica: action.replica)
                    if !present.contains(recompute) { list.append(recompute) }
                }
                list.append(action)
            }
            return list
        }
        return Schedule(name: name + "+recompute", placement: placement, microbatchCount: microbatchCount, actionsByDevice: lists)
    }

    /// Whether any micro-batch is recomputed (`R`) before its backward.
    public var recomputes: Bool { actions.contains { $0.op == .recompute } }
}
