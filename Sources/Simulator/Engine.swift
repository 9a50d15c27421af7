import Schedule

/// The event loop behind `Simulator`. Per-action state is two flat arrays (start, end: 16 bytes per
/// action); per-device state a small buffer; the heap holds at most one pending end per device.
enum Engine {
    /// The end of the action a device is running.
    struct Event: Comparable {
        let time: Int64
        let device: Int32

        /// Earlier first; at equal times the lower device index first.
        static func < (lhs: Event, rhs: Event) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.device < rhs.device
        }
    }

    /// What the loop tracks per device.
    struct DeviceState {
        /// Id of the device's next action (its head).
        var next: Int
        /// One past the id of its last action.
        let limit: Int
        /// Id of its first action.
        let first: Int
        /// Bit `op.rawValue` set once the device started an action of that op (for `firstOfOp`).
        var opsSeen: UInt8 = 0
        /// When its last action ended.
        var free: Int64 = 0
        /// Time spent running actions so far.
        var busy: Int64 = 0
        /// Activation bytes held now, and the most held so far.
        var live: Int64 = 0
        var peak: Int64 = 0
        /// The next device parked on the same action as this one, −1 for none.
        var nextWaiter: Int32 = -1
    }

    /// A fixed-size buffer owned by one `run`, freed explicitly.
    struct Buffer<Element> {
        let pointer: UnsafeMutableBufferPointer<Element>

        init(_ values: [Element]) {
            pointer = .allocate(capacity: values.count)
            _ = pointer.initialize(from: values)
        }

        subscript(index: Int) -> Element {
            @inline(__always) get { pointer[index] }
            @inline(__always) nonmutating set { pointer[index] = newValue }
        }

        init(repeating value: Element, count: Int) {
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: value)
        }

        func free() { pointer.deallocate() }
    }

    static func run(_ dependencies: Dependencies, _ table: CostTable) throws(SimulationError) -> Simulation {
        let schedule = dependencies.schedule
        let actions = schedule.actions
        let count = actions.count, devices = schedule.deviceCount
        let stages = schedule.stageCount, replicas = schedule.replicaCount, opCount = Op.allCases.count

        // Device of each (replica, stage), and a range check so no lookup below can trap.
        var stageDevice = [Int32](repeating: 0, count: replicas * stages)
        for replica in 0..<replicas {
            for stage in 0..<stages {
                stageDevice[replica * stages + stage] = Int32(schedule.placement.device(replica: replica, stage: stage))
            }
        }
        if !dependencies.allActionsInRange {
            for id in actions.indices where actions[id].stage >= stages || actions[id].replica >= replicas {
                let device = schedule.device(atIndex: id)
                throw .actionOutOfRange(actions[id], device: device, position: id - schedule.deviceOffsets[device])
            }
        }
        // Without any backward (inference), a forward holds its activations only while it runs.
        let inference = !(dependencies.uses(.backward) || dependencies.uses(.inputGrad) || dependencies.uses(.weightGrad))
        // Forwards whose micro-batch their stage recomputes (`R`) keep only its checkpoint (see `CostModel`).
        let anyRecompute = dependencies.uses(.recompute)
        // Every time is at most the sum of all durations and transfers; keep it within Int64.
        let bound = Double(count) * Double((table.duration.max() ?? 0) + table.dispatch + max(table.coldStart.max() ?? 0, table.firstAction.max() ?? 0, table.firstOfOp.max() ?? 0))
            + Double(dependencies.edgeCount) * Double(table.transfer.max() ?? 0)
            + Double(table.optimizerOnDevice.max() ?? 0)
        guard bound < 9e18 else { throw .tooLong(bound) }
        let memoryBound = Double(count) * Double((table.activation.max() ?? 0) + (table.gradient.max() ?? 0) + (table.transient.max() ?? 0))
            + Double(table.weightsOnDevice.max() ?? 0)
        guard memoryBound < 9e18 else { throw .tooMuchMemory(memoryBound) }

        let hasTransferCost = table.hasTransferCost
        let dispatchTime = table.dispatch
        let hasColdStart = table.coldStart.contains { $0 > 0 } || table.firstAction.contains { $0 > 0 } || table.firstOfOp.contains { $0 > 0 }
        let contention = table.contention && hasTransferCost

        /// Transfer time of the edge u → v (for setting up; the loop has its own copy on raw tables).
        func edgeCost(_ u: Action, _ v: Action) -> Int64 {
            guard v.op != .gradSync else { return 0 }
            let from = stageDevice[u.replica * stages + u.stage], to = stageDevice[v.replica * stages + v.stage]
            return from == to ? 0 : table.transfer[min(u.stage, v.stage)]
        }

        // Small tables and per-device state as raw buffers: the loop below then captures only
        // constants, so it pays neither bounds checks on them nor dynamic exclusivity checks.
        let stageDeviceTable = Buffer(stageDevice), durationTable = Buffer(table.duration)
        let transferTable = Buffer(table.transfer), activationTable = Buffer(table.activation)
        let gradientTable = Buffer(table.gradient), transientTable = Buffer(table.transient), coldTable = Buffer(table.coldStart)
        let firstTable = Buffer(table.firstAction), firstOfOpTable = Buffer(table.firstOfOp)
        let checkpointTable = Buffer(table.checkpoint), recomputedForward = Buffer(dependencies.recomputedForwards)
        defer {
            stageDeviceTable.free(); durationTable.free(); transferTable.free(); activationTable.free()
            gradientTable.free(); transientTable.free(); coldTable.free(); firstTable.free(); firstOfOpTable.free(); checkpointTable.free(); recomputedForward.free()
        }
        let state = Buffer((0..<devices).map {
            DeviceState(next: schedule.deviceOffsets[$0], limit: schedule.deviceOffsets[$0 + 1], first: schedule.deviceOffsets[$0])
        })
        defer { state.free() }

        // With contention: for each action, the edges (position in the predecessor list) whose
        // transfers it sends and their consumers; per edge, when its data arrives; per link, when it
        // is free again.
        var sendOffsets = [Int32](repeating: 0, count: contention ? count + 1 : 0)
        var sendEdges: [Int32] = [], sendConsumers: [Int32] = []
        if contention {
            for v in 0..<count {
                let predecessors = dependencies.predecessors(of: v)
                for edge in predecessors.indices where edgeCost(actions[Int(predecessors[edge])], actions[v]) > 0 {
                    sendOffsets[Int(predecessors[edge]) + 1] += 1
                }
            }
            for id in 0..<count { sendOffsets[id + 1] += sendOffsets[id] }
            var fill = sendOffsets
            sendEdges = [Int32](repeating: 0, count: Int(sendOffsets[count]))
            sendConsumers = sendEdges
            for v in 0..<count {
                let predecessors = dependencies.predecessors(of: v)
                for edge in predecessors.indices where edgeCost(actions[Int(predecessors[edge])], actions[v]) > 0 {
                    let u = Int(predecessors[edge])
                    sendEdges[Int(fill[u])] = Int32(edge)
                    sendConsumers[Int(fill[u])] = Int32(v)
                    fill[u] += 1
                }
            }
        }
        let sendOffsetTable = Buffer(sendOffsets), sendEdgeTable = Buffer(sendEdges), sendConsumerTable = Buffer(sendConsumers)
        sendOffsets = []; sendEdges = []; sendConsumers = []
        let arrival = Buffer(repeating: Int64(0), count: contention ? dependencies.edgeCount : 0)
        let linkFree = Buffer(repeating: Int64(0), count: contention ? devices * devices : 0)
        defer { sendOffsetTable.free(); sendEdgeTable.free(); sendConsumerTable.free(); arrival.free(); linkFree.free() }
        var start = [Int64](repeating: 0, count: count)
        // Until an action's end event has happened, its `end` is negative: −1, or −2 − d when device d
        // is parked waiting for it (further parked devices chain through `DeviceState.nextWaiter`).
        // Keeping the waiter there saves an array and a cache miss per action.
        var end = [Int64](repeating: -1, count: count)
        dependencies.withUnsafePredecessors { predecessorOffsets, predecessorIDs in
            actions.withUnsafeBufferPointer { actions in
                start.withUnsafeMutableBufferPointer { start in
                    end.withUnsafeMutableBufferPointer { end in
                        let start = start, end = end
                        /// Transfer time of the edge u → v: zero on one device and into a gradient sync.
                        @inline(__always)
                        func cost(_ u: Action, _ v: Action) -> Int64 {
                            guard v.op != .gradSync else { return 0 }
                            let from = stageDeviceTable[u.replica * stages + u.stage]
                            let to = stageDeviceTable[v.replica * stages + v.stage]
                            return from == to ? 0 : transferTable[min(u.stage, v.stage)]
                        }

                        /// Starts device d's next action if its inputs are there and returns its end
                        /// event; parks d on the first unfinished predecessor otherwise.
                        func dispatch(_ d: Int) -> Event? {
                            let id = state[d].next
                            guard id < state[d].limit else { return nil }
                            let action = actions[id]
                            var ready = state[d].free + dispatchTime
                            for edge in Int(predecessorOffsets[id])..<Int(predecessorOffsets[id + 1]) {
                                let u = Int(predecessorIDs[edge])
                                let finished = end[u]
                                if finished < 0 {
                                    state[d].nextWaiter = Int32(-2 - finished)  // −1 when none was parked
                                    end[u] = -2 - Int64(d)
                                    return nil
                                }
                                var arrives = finished
                                if hasTransferCost {
                                    let time = cost(actions[u], action)
                                    if time > 0 { arrives = contention ? arrival[edge] : finished + time }
                                }
                                if arrives > ready { ready = arrives }
                            }
                            start[id] = ready
                            let stage = action.stage
                            // Memory follows the device's action order (see `CostModel`).
                            switch action.op {
                            case .forward:
                                let held = state[d].live + activationTable[stage]
                                if held > state[d].peak { state[d].peak = held }
                                if anyRecompute && recomputedForward[id] {
                                    state[d].live += checkpointTable[stage]
                                } else if !inference {
                                    state[d].live = held
                                }
                            case .recompute:
                                state[d].live += activationTable[stage] - checkpointTable[stage]
                                if state[d].live > state[d].peak { state[d].peak = state[d].live }
                            case .inputGrad:
                                state[d].live += gradientTable[stage]
                                let held = state[d].live + transientTable[stage]
                                if held > state[d].peak { state[d].peak = held }
                            case .backward:
                                let held = state[d].live + gradientTable[stage] + transientTable[stage]
                                if held > state[d].peak { state[d].peak = held }
                                state[d].live -= activationTable[stage]
                            case .weightGrad:
                                state[d].live -= activationTable[stage] + gradientTable[stage]
                            case .gradSync:
                                break
                            }
                            var duration = durationTable[(Int(action.replica) * opCount + Int(action.op.rawValue)) * stages + stage]
                            if hasColdStart && action.op != .gradSync {
                                // First on the device, first of its op there, or cold: after an action of
                                // another (replica, stage).
                                let op = Int(action.op.rawValue)
                                let firstOfOp = state[d].opsSeen & (1 << op) == 0
                                state[d].opsSeen |= 1 << op
                                if id == state[d].first {
                                    duration += firstTable[stage]
                                } else if firstOfOp && firstOfOpTable[op] > 0 {
                                    duration += firstOfOpTable[op]
                                } else if actions[id - 1].stage != stage || actions[id - 1].replica != action.replica {
                                    duration += coldTable[stage]
                                }
                            }
                            state[d].busy += duration
                            return Event(time: ready + duration, device: Int32(d))
                        }

                        /// Records the end of device d's current action; returns the first device parked on
                        /// that action (others chain through `nextWaiter`), or −1.
                        @inline(__always)
                        func finish(_ d: Int, at time: Int64) -> Int {
                            let id = state[d].next
                            let parked = Int(-2 - end[id])
                            end[id] = time
                            state[d].free = time
                            state[d].next = id + 1
                            return parked
                        }

                        if !contention {
                            // Without link contention no time depends on the order in which devices
                            // advance: each runs its actions as far as their inputs have ended, and an
                            // action's end is final once computed. So no event queue: a device runs until
                            // it parks, and the devices it wakes are run in turn.
                            let runnable = Buffer(repeating: Int32(0), count: devices)
                            defer { runnable.free() }
                            var waiting = devices
                            for d in 0..<devices { runnable[d] = Int32(devices - 1 - d) }
                            while waiting > 0 {
                                waiting -= 1
                                let d = Int(runnable[waiting])
                                while let event = dispatch(d) {
                                    var parked = finish(d, at: event.time)
                                    while parked >= 0 {
                                        runnable[waiting] = Int32(parked)
                                        waiting += 1
                                        parked = Int(state[parked].nextWaiter)
                                    }
                                }
                            }
                            return
                        }
                        var heap = EventQueue(capacity: devices)
                        defer { heap.free() }
                        for d in 0..<devices {
                            if let event = dispatch(d) { heap.insert(event) }
                        }
                        // Events are handled in (time, device) order. The device whose action just ended
                        // dispatches its next one; that event goes through the heap unless it is already
                        // earlier than everything in it (then it would be popped next anyway).
                        var current = heap.popMin()
                        while let event = current {
                            let d = Int(event.device), id = state[d].next
                            var parked = finish(d, at: event.time)
                            // Its transfers take their links in the order their data is ready.
                            let action = actions[id]
                            let from = Int(stageDeviceTable[action.replica * stages + action.stage])
                            for k in Int(sendOffsetTable[id])..<Int(sendOffsetTable[id + 1]) {
                                let consumer = actions[Int(sendConsumerTable[k])]
                                let link = from * devices + Int(stageDeviceTable[consumer.replica * stages + consumer.stage])
                                let begins = max(event.time, linkFree[link])
                                linkFree[link] = begins + cost(action, consumer)
                                arrival[Int(sendEdgeTable[k])] = linkFree[link]
                            }
                            while parked >= 0 {
                                let nextParked = Int(state[parked].nextWaiter)
                                if let woken = dispatch(parked) { heap.insert(woken) }
                                parked = nextParked
                            }
                            if let following = dispatch(d) {
                                if let earliest = heap.min, earliest < following {
                                    current = heap.replaceMin(with: following)
                                } else {
                                    current = following
                                }
                            } else {
                                current = heap.popMin()
                            }
                        }
                    }
                }
            }
        }

        let finalState = Array(state.pointer)
        for d in 0..<devices where finalState[d].next < finalState[d].limit {
            let id = finalState[d].next
            let blocker = dependencies.predecessors(of: id).first { end[Int($0)] < 0 }.map(Int.init) ?? id
            throw .stalled(device: d, action: actions[id], waitsFor: actions[blocker],
                           otherDevice: schedule.device(atIndex: blocker))
        }
        let weights = table.weightsOnDevice
        let peak = finalState.map(\.peak)
        let optimizerEnd = (0..<devices).map { finalState[$0].free + table.optimizerOnDevice[$0] }
        let timeline = Timeline(schedule: schedule, start: start, end: end,
                                peakMemory: (0..<devices).map { weights[$0] + peak[$0] })
        // A device's actions run one after another, so its first starts earliest and its last ends latest.
        let active = (0..<devices).filter { finalState[$0].first < finalState[$0].limit }
        let makespan = active.isEmpty ? 0
            : active.map { finalState[$0].free }.max()! - active.map { start[finalState[$0].first] }.min()!
        return Simulation(timeline: timeline, optimizerEnd: optimizerEnd, peakActivationBytes: peak, weightBytes: weights,
                          makespan: makespan, busy: finalState.map(\.busy))
    }
}
