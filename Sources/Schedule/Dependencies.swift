/// The single definition of what each action waits for. The simulator, the executor and the
/// validator all ask it; none re-derives it.
///
/// The rule, for replica r, stage s, micro-batch j of a schedule with S stages and R replicas:
/// - `F(r,s,j)` waits for `F(r,s−1,j)` (the previous stage's output), nothing for s = 0;
/// - `R(r,s,j)` (recompute) waits for its own `F(r,s,j)`, whose input it starts from;
/// - `B(r,s,j)` and `I(r,s,j)` wait for their own `R(r,s,j)` if the schedule recomputes that micro-batch
///   on that stage, for their own `F(r,s,j)` otherwise, and, for s < S−1, for the input gradient of
///   the next stage: `B(r,s+1,j)` or `I(r,s+1,j)`, whichever the schedule has;
/// - `W(r,s,j)` waits for `I(r,s,j)` (the output gradient it consumed is kept until then);
/// - `gradSync(r,s)` waits for the last weight gradient (`B` or `W`) of every micro-batch of stage s on
///   every replica: the replicas sum their gradients, so each needs all of them.
///
/// Actions are named by their position in `schedule.actions` (the action id). Predecessors that the
/// schedule lacks are skipped here; `validate()` reports them as missing.
public struct Dependencies: Sendable {
    /// The schedule the ids refer to.
    public let schedule: Schedule
    /// Id of each per-micro-batch action at `slot(op, replica, stage, microbatch)`, −1 where absent.
    private let microbatchIndex: MicrobatchIndex
    /// Id of each `gradSync` at `replica * stageCount + stage`, −1 where absent.
    private let syncIndex: [Int32]
    /// Predecessor ids of action id `i` are `predecessorIDs[predecessorOffsets[i] ..< predecessorOffsets[i + 1]]`.
    private let predecessorOffsets: [Int32]
    private let predecessorIDs: [Int32]
    /// Whether every action's stage, replica and micro-batch lie within the schedule's counts.
    public let allActionsInRange: Bool

    /// Builds the dependency graph of `schedule`. Actions outside the schedule's ranges are ignored
    /// (validation reports them); of duplicated actions the first is the one others wait for.
    ///
    /// Two passes over the actions through raw buffers (index, then edges): tune builds a graph per
    /// candidate, so this costs as much as simulating it.
    public init(schedule: Schedule) {
        precondition(schedule.actions.count < Int(Int32.max), "schedule too large")
        self.schedule = schedule
        let stages = schedule.stageCount, replicas = schedule.replicaCount, microbatches = schedule.microbatchCount
        let actions = schedule.actions
        var index = MicrobatchIndex(schedule: schedule)
        var sync = [Int32](repeating: -1, count: replicas * stages)
        var syncActions = 0
        var inRange = true
        // At most two predecessors per action, replicas × micro-batches per gradient sync: the edges are
        // then filled without a capacity check each.
        var offsets = [Int32](repeating: 0, count: actions.count + 1)
        var ids: [Int32] = []
        actions.withUnsafeBufferPointer { actions in
            index.withRawSlots { slots in
                for id in actions.indices {
                    let action = actions[id]
                    if action.op == .gradSync { syncActions += 1 }
                    guard action.stage < stages, action.replica < replicas, action.microbatch < microbatches else {
                        inRange = false
                        continue
                    }
                    if action.op == .gradSync {
                        let slot = action.replica * stages + action.stage
                        if sync[slot] < 0 { sync[slot] = Int32(id) }
                    } else {
                        slots.insert(action, id: Int32(id))
                    }
                }
            }
            let edgeLimit = 2 * (actions.count - syncActions) + syncActions * replicas * microbatches
            ids = [Int32](unsafeUninitializedCapacity: edgeLimit) { ids, initialized in
                var edges = 0
                offsets.withUnsafeMutableBufferPointer { offsets in
                    index.withRawSlots { slots in
                        for id in actions.indices {
                            Self.forEachPredecessor(of: actions[id], stages: stages, replicas: replicas, microbatches: microbatches, index: slots) {
                                ids[edges] = $0
                                edges += 1
                            }
                            offsets[id + 1] = Int32(edges)
                        }
                    }
                }
                initialized = edges
            }
        }
        microbatchIndex = index
        syncIndex = sync
        allActionsInRange = inRange
        predecessorOffsets = offsets
        predecessorIDs = ids
    }

    /// The ids of the actions that action `id` waits for.
    @inline(__always)
    public func predecessors(of id: Int) -> ArraySlice<Int32> {
        predecessorIDs[Int(predecessorOffsets[id])..<Int(predecessorOffsets[id + 1])]
    }

    /// Calls `body` with the graph as raw buffers: the predecessors of action `i` are
    /// `ids[offsets[i] ..< offsets[i + 1]]`. For hot loops, which then touch no reference counts.
    @inline(__always)
    public func withUnsafePredecessors<R, E: Error>(_ body: (_ offsets: UnsafeBufferPointer<Int32>, _ ids: UnsafeBufferPointer<Int32>) throws(E) -> R) throws(E) -> R {
        try predecessorOffsets.withUnsafeBufferPointer { (offsets) throws(E) in
            try predecessorIDs.withUnsafeBufferPointer { (ids) throws(E) in try body(offsets, ids) }
        }
    }

    /// The actions that `action` waits for, as far as the schedule has them.
    public func predecessors(of action: Action) -> [Action] {
        var result: [Action] = []
        microbatchIndex.withReadOnlyRawSlots { slots in
            Self.forEachPredecessor(of: action, stages: schedule.stageCount, replicas: schedule.replicaCount,
                                    microbatches: schedule.microbatchCount, index: slots) {
                result.append(schedule.actions[Int($0)])
            }
        }
        return result
    }

    /// The id (position in `schedule.actions`) of `action`, or nil if the schedule lacks it.
    public func id(of action: Action) -> Int? {
        let stages = schedule.stageCount
        guard action.stage < stages, action.replica < schedule.replicaCount, action.microbatch < schedule.microbatchCount else { return nil }
        let value = action.op == .gradSync
            ? syncIndex[action.replica * stages + action.stage]
            : microbatchIndex[action.op, action.replica, action.stage, action.microbatch]
        return value < 0 ? nil : Int(value)
    }

    /// Whether the schedule has any per-micro-batch action of `op` (in range or not).
    public func uses(_ op: Op) -> Bool { microbatchIndex.uses(op) }

    /// Per action id: whether it is a forward whose micro-batch its stage recomputes (`R`) later — the
    /// one predecessor of that `R`; empty when the schedule recomputes nothing.
    public var recomputedForwards: [Bool] {
        guard uses(.recompute) else { return [] }
        var recomputed = [Bool](repeating: false, count: schedule.actions.count)
        for id in schedule.actions.indices where schedule.actions[id].op == .recompute {
            if let forward = predecessors(of: id).first { recomputed[Int(forward)] = true }
        }
        return recomputed
    }

    /// Total number of dependency edges.
    public var edgeCount: Int { predecessorIDs.count }

    /// The rule itself (see the type's documentation), resolved against the index of present actions.
    @inline(__always)
    private static func forEachPredecessor(of action: Action, stages: Int, replicas: Int, microbatches: Int,
                                           index: MicrobatchIndex.RawSlots, _ body: (Int32) -> Void) {
        let r = action.replica, s = action.stage, j = action.microbatch
        guard s < stages, r < replicas, j < microbatches else { return }
        func visit(_ id: Int32) { if id >= 0 { body(id) } }
        let entry = index.entry(r, s, j)
        switch action.op {
        case .forward:
            if s > 0 { visit(index.id(index.forward, at: entry &- index.stageStride)) }
        case .recompute:
            visit(index.id(index.forward, at: entry))
        case .backward, .inputGrad:
            let recomputed = index.id(index.recompute, at: entry)
            visit(recomputed >= 0 ? recomputed : index.id(index.forward, at: entry))
            if s + 1 < stages {
                let next = entry &+ index.stageStride
                let full = index.id(index.backward, at: next)
                visit(full >= 0 ? full : index.id(index.inputGrad, at: next))
            }
        case .weightGrad:
            visit(index.id(index.inputGrad, at: entry))
        case .gradSync:
            for replica in 0..<replicas {
                for microbatch in 0..<microbatches {
                    let other = index.entry(replica, s, microbatch)
                    let full = index.id(index.backward, at: other)
                    visit(full >= 0 ? full : index.id(index.weightGrad, at: other))
                }
            }
        }
    }
}

/// Action ids of the per-micro-batch actions by (op, replica, stage, micro-batch), with slots only for
/// the ops the schedule uses (F and B for most schedules), to keep large schedules small.
struct MicrobatchIndex: Sendable {
    /// Slot of each op (by raw value) within an entry, −1 when the schedule never uses it.
    private let opSlot: [Int]
    private let slotsPerEntry: Int
    private let stages: Int
    private let microbatches: Int
    private var ids: [Int32]

    init(schedule: Schedule) {
        var used = [Bool](repeating: false, count: Op.allCases.count)
        for action in schedule.actions where action.op.isPerMicrobatch { used[Int(action.op.rawValue)] = true }
        var slots = [Int](repeating: -1, count: used.count)
        var count = 0
        for op in Op.allCases where used[Int(op.rawValue)] {
            slots[Int(op.rawValue)] = count
            count += 1
        }
        opSlot = slots
        slotsPerEntry = count
        stages = schedule.stageCount
        microbatches = schedule.microbatchCount
        // At least one slot, so the raw views always have a base address.
        ids = [Int32](repeating: -1, count: max(1, schedule.replicaCount * stages * microbatches * count))
    }

    /// Whether the schedule has any per-micro-batch action of `op`.
    func uses(_ op: Op) -> Bool { opSlot[Int(op.rawValue)] >= 0 }

    /// The id of the action (in range), −1 when absent.
    subscript(op: Op, replica: Int, stage: Int, microbatch: Int) -> Int32 {
        withReadOnlyRawSlots { $0.id($0.slot(op), at: $0.entry(replica, stage, microbatch)) }
    }

    /// Calls `body` with the index as raw slots it may insert into.
    mutating func withRawSlots<R>(_ body: (RawSlots) -> R) -> R {
        let (opSlot, slotsPerEntry, stages, microbatches) = (opSlot, slotsPerEntry, stages, microbatches)
        return ids.withUnsafeMutableBufferPointer { ids in
            body(RawSlots(ids: ids.baseAddress!, opSlot: opSlot, slotsPerEntry: slotsPerEntry, stages: stages, microbatches: microbatches))
        }
    }

    /// Calls `body` with the index as raw slots for lookups only (it must not insert).
    func withReadOnlyRawSlots<R>(_ body: (RawSlots) -> R) -> R {
        ids.withUnsafeBufferPointer { ids in
            body(RawSlots(ids: UnsafeMutablePointer(mutating: ids.baseAddress!), opSlot: opSlot,
                          slotsPerEntry: slotsPerEntry, stages: stages, microbatches: microbatches))
        }
    }

    /// The index over a raw buffer, for the loops that build a graph: each op's slot is a stored
    /// constant, an entry (replica, stage, micro-batch) is one offset from which the neighbouring
    /// stage's is a stride away, positions use wrapping arithmetic (the table's size was allocated, so
    /// no product overflows), and lookups touch no reference count. Entries must be in range (callers
    /// check stage, replica and micro-batch first).
    struct RawSlots {
        let ids: UnsafeMutablePointer<Int32>
        /// Slot of each op within an entry, −1 when the schedule never uses it.
        let forward, backward, inputGrad, weightGrad, recompute: Int
        let slotsPerEntry, stages, microbatches: Int
        /// Distance between the entries of one micro-batch on neighbouring stages.
        let stageStride: Int

        init(ids: UnsafeMutablePointer<Int32>, opSlot: [Int], slotsPerEntry: Int, stages: Int, microbatches: Int) {
            self.ids = ids
            forward = opSlot[Int(Op.forward.rawValue)]
            backward = opSlot[Int(Op.backward.rawValue)]
            inputGrad = opSlot[Int(Op.inputGrad.rawValue)]
            weightGrad = opSlot[Int(Op.weightGrad.rawValue)]
            recompute = opSlot[Int(Op.recompute.rawValue)]
            self.slotsPerEntry = slotsPerEntry
            self.stages = stages
            self.microbatches = microbatches
            stageStride = microbatches &* slotsPerEntry
        }

        /// Offset of the entry of (replica, stage, micro-batch).
        @inline(__always)
        func entry(_ replica: Int, _ stage: Int, _ microbatch: Int) -> Int {
            ((replica &* stages &+ stage) &* microbatches &+ microbatch) &* slotsPerEntry
        }

        /// The id in `slot` of the entry at `entry`, −1 when absent or the op unused.
        @inline(__always)
        func id(_ slot: Int, at entry: Int) -> Int32 {
            slot < 0 ? -1 : ids[entry &+ slot]
        }

        /// Slot of `op` within an entry, −1 when the schedule never uses it (and for `gradSync`).
        @inline(__always)
        func slot(_ op: Op) -> Int {
            switch op {
            case .forward: forward
            case .backward: backward
            case .inputGrad: inputGrad
            case .weightGrad: weightGrad
            case .recompute: recompute
            case .gradSync: -1
            }
        }

        /// Records `id` for `action` (a per-micro-batch action in range) unless an earlier duplicate
        /// already holds the slot.
        @inline(__always)
        func insert(_ action: Action, id: Int32) {
            let slot = slot(action.op)
            guard slot >= 0 else { return }
            let position = entry(action.replica, action.stage, action.microbatch) &+ slot
            if ids[position] < 0 { ids[position] = id }
        }
    }
}
