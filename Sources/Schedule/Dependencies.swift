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

    /// Builds the dependency graph of `schedule`. Actions outside the schedule's ranges are ignored
    /// (validation reports them); of duplicated actions the first is the one others wait for.
    public init(schedule: Schedule) {
        precondition(schedule.actions.count < Int(Int32.max), "schedule too large")
        self.schedule = schedule
        let stages = schedule.stageCount, replicas = schedule.replicaCount, microbatches = schedule.microbatchCount
        var index = MicrobatchIndex(schedule: schedule)
        var sync = [Int32](repeating: -1, count: replicas * stages)
        for (id, action) in schedule.actions.enumerated() {
            guard action.stage < stages, action.replica < replicas, action.microbatch < microbatches else { continue }
            if action.op == .gradSync {
                let slot = action.replica * stages + action.stage
                if sync[slot] < 0 { sync[slot] = Int32(id) }
            } else {
                index.insert(action, id: Int32(id))
            }
        }
        microbatchIndex = index
        syncIndex = sync

        // At most two predecessors per action, replicas × micro-batches per gradient sync: filled through
        // raw buffers, without a capacity check per edge.
        let actions = schedule.actions
        var edgeLimit = 0
        for action in actions { edgeLimit += action.op == .gradSync ? replicas * microbatches : 2 }
        var offsets = [Int32](repeating: 0, count: actions.count + 1)
        predecessorIDs = [Int32](unsafeUninitializedCapacity: edgeLimit) { ids, initialized in
            var edges = 0
            offsets.withUnsafeMutableBufferPointer { offsets in
                for (id, action) in actions.enumerated() {
                    Self.forEachPredecessor(of: action, stages: stages, replicas: replicas, microbatches: microbatches, index: index) {
                        ids[edges] = $0
                        edges += 1
                    }
                    offsets[id + 1] = Int32(edges)
                }
            }
            initialized = edges
        }
        predecessorOffsets = offsets
    }

    /// The ids of the actions that action `id` waits for.
    @inline(__always)
    public func predecessors(of id: Int) -> ArraySlice<Int32> {
        predecessorIDs[Int(predecessorOffsets[id])..<Int(predecessorOffsets[id + 1])]
    }

    /// Calls `body` with the graph as raw buffers: the predecessors of action `i` are
    /// `ids[offsets[i] ..< offsets[i + 1]]`. For hot loops, which then touch no reference counts.
    @inline(__always)
    public func withUnsafePredecessors<R>(_ body: (_ offsets: UnsafeBufferPointer<Int32>, _ ids: UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        try predecessorOffsets.withUnsafeBufferPointer { offsets in
            try predecessorIDs.withUnsafeBufferPointer { ids in try body(offsets, ids) }
        }
    }

    /// The actions that `action` waits for, as far as the schedule has them.
    public func predecessors(of action: Action) -> [Action] {
        var result: [Action] = []
        Self.forEachPredecessor(of: action, stages: schedule.stageCount, replicas: schedule.replicaCount,
                                microbatches: schedule.microbatchCount, index: microbatchIndex) {
            result.append(schedule.actions[Int($0)])
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

    /// Total number of dependency edges.
    public var edgeCount: Int { predecessorIDs.count }

    /// The rule itself (see the type's documentation), resolved against the index of present actions.
    @inline(__always)
    private static func forEachPredecessor(of action: Action, stages: Int, replicas: Int, microbatches: Int,
                                           index: MicrobatchIndex, _ body: (Int32) -> Void) {
        let r = action.replica, s = action.stage, j = action.microbatch
        guard s < stages, r < replicas, j < microbatches else { return }
        func lookup(_ op: Op, _ replica: Int, _ stage: Int, _ microbatch: Int) -> Int32 {
            index[op, replica, stage, microbatch]
        }
        func visit(_ id: Int32) { if id >= 0 { body(id) } }
        switch action.op {
        case .forward:
            if s > 0 { visit(lookup(.forward, r, s - 1, j)) }
        case .recompute:
            visit(lookup(.forward, r, s, j))
        case .backward, .inputGrad:
            let recomputed = lookup(.recompute, r, s, j)
            visit(recomputed >= 0 ? recomputed : lookup(.forward, r, s, j))
            if s + 1 < stages {
                let full = lookup(.backward, r, s + 1, j)
                visit(full >= 0 ? full : lookup(.inputGrad, r, s + 1, j))
            }
        case .weightGrad:
            visit(lookup(.inputGrad, r, s, j))
        case .gradSync:
            for replica in 0..<replicas {
                for microbatch in 0..<microbatches {
                    let full = lookup(.backward, replica, s, microbatch)
                    visit(full >= 0 ? full : lookup(.weightGrad, replica, s, microbatch))
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
        ids = [Int32](repeating: -1, count: schedule.replicaCount * stages * microbatches * count)
    }

    /// Records `id` for `action` unless an earlier duplicate already holds the slot.
    mutating func insert(_ action: Action, id: Int32) {
        let slot = position(action.op, action.replica, action.stage, action.microbatch)
        if ids[slot] < 0 { ids[slot] = id }
    }

    /// The id of the action, −1 when absent.
    @inline(__always)
    subscript(op: Op, replica: Int, stage: Int, microbatch: Int) -> Int32 {
        opSlot[Int(op.rawValue)] < 0 ? -1 : ids[position(op, replica, stage, microbatch)]
    }

    /// Wrapping arithmetic: the table's size was allocated, so no product overflows, and the hot
    /// lookup then carries no overflow checks.
    @inline(__always)
    private func position(_ op: Op, _ replica: Int, _ stage: Int, _ microbatch: Int) -> Int {
        ((replica &* stages &+ stage) &* microbatches &+ microbatch) &* slotsPerEntry &+ opSlot[Int(op.rawValue)]
    }
}
