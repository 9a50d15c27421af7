extension Schedule {
    /// Checks that the schedule can run: every action in range and on the device that holds its stage,
    /// every required action exactly once, each device's order consistent with `Dependencies`, and no
    /// cross-device wait cycle. Throws `ScheduleError.invalid` with the problems found; a deadlock is
    /// reported as the cycle of devices that wait on each other.
    ///
    /// Required: for every micro-batch, in the one replica it flows through, a forward on every stage
    /// and — unless the schedule is forward-only — a backward (`B`, or `I` and `W`) on every stage; with
    /// more than one replica, one `gradSync` per (replica, stage).
    public func validate() throws(ScheduleError) {
        var problems = shapeProblems()
        if problems.isEmpty { problems = completenessProblems() }
        if problems.isEmpty, let problem = orderProblem() { problems = [problem] }
        if !problems.isEmpty { throw .invalid(problems) }
    }

    /// Ranges, devices and duplicates.
    private func shapeProblems() -> [ScheduleProblem] {
        var problems: [ScheduleProblem] = []
        // The first id of every (op, replica, stage, micro-batch), −1 until seen: a flat table with slots
        // only for the ops the schedule uses (hashing 12-byte actions cost more than the whole check).
        var opSlot = [Int](repeating: -1, count: Op.allCases.count), slots = 0
        for action in actions where opSlot[Int(action.op.rawValue)] < 0 {
            opSlot[Int(action.op.rawValue)] = slots
            slots += 1
        }
        var seen = [Int32](repeating: -1, count: slots * replicaCount * stageCount * microbatchCount)
        for device in 0..<deviceCount {
            for (position, action) in actions(on: device).enumerated() {
                if action.stage >= stageCount {
                    problems.append(.outOfRange(action, device: device, position: position,
                                                "stage \(action.stage) does not exist; the schedule has stages 0–\(stageCount - 1)"))
                } else if action.replica >= replicaCount {
                    problems.append(.outOfRange(action, device: device, position: position,
                                                "replica \(action.replica) does not exist; the schedule has \(replicaCount) replica(s)"))
                } else if action.microbatch >= microbatchCount {
                    problems.append(.outOfRange(action, device: device, position: position,
                                                "micro-batch \(action.microbatch) does not exist; the schedule has micro-batches 0–\(microbatchCount - 1)"))
                } else if placement.device(of: action) != device {
                    problems.append(.wrongDevice(action, device: device, position: position, expected: placement.device(of: action)))
                } else {
                    let slot = ((opSlot[Int(action.op.rawValue)] * replicaCount + action.replica) * stageCount + action.stage) * microbatchCount
                        + action.microbatch
                    let first = Int(seen[slot])
                    if first >= 0 {
                        let firstDevice = self.device(atIndex: first)
                        problems.append(.duplicate(action, device: device, position: position,
                                                   firstDevice: firstDevice, firstPosition: first - deviceOffsets[firstDevice]))
                    } else {
                        seen[slot] = Int32(deviceOffsets[device] + position)
                    }
                }
            }
        }
        return problems
    }

    /// Every required action present, one backward form per micro-batch, one replica per micro-batch.
    private func completenessProblems() -> [ScheduleProblem] {
        var problems: [ScheduleProblem] = []
        let dependencies = Dependencies(schedule: self)
        func present(_ op: Op, _ r: Int, _ s: Int, _ j: Int) -> Bool {
            dependencies.id(of: Action(op, stage: s, microbatch: j, replica: r)) != nil
        }
        func locate(_ op: Op, _ r: Int, _ s: Int, _ j: Int) -> (Int, Int) {
            let id = dependencies.id(of: Action(op, stage: s, microbatch: j, replica: r))!
            let device = self.device(atIndex: id)
            return (device, id - deviceOffsets[device])
        }
        // The replica each micro-batch flows through.
        var replicasOfMicrobatch = [Set<Int>](repeating: [], count: microbatchCount)
        for action in actions where action.op.isPerMicrobatch {
            replicasOfMicrobatch[action.microbatch].insert(action.replica)
        }
        let forwardOnly = isForwardOnly
        for j in 0..<microbatchCount {
            let replicas = replicasOfMicrobatch[j].sorted()
            guard let r = replicas.first else {
                problems.append(.missing(Action(.forward, stage: 0, microbatch: j), device: placement.device(stage: 0),
                                         "micro-batch \(j) has no actions at all; every micro-batch below \(microbatchCount) must run"))
                continue
            }
            if replicas.count > 1 {
                problems.append(.splitAcrossReplicas(microbatch: j, replicas: replicas))
                continue
            }
            for s in 0..<stageCount {
                let device = placement.device(replica: r, stage: s)
                if !present(.forward, r, s, j) {
                    problems.append(.missing(Action(.forward, stage: s, microbatch: j, replica: r), device: device,
                                             "every stage runs the forward of every micro-batch"))
                }
                if forwardOnly { continue }
                let full = present(.backward, r, s, j), input = present(.inputGrad, r, s, j), weight = present(.weightGrad, r, s, j)
                if full && (input || weight) {
                    let other: Op = input ? .inputGrad : .weightGrad
                    let (d, position) = locate(other, r, s, j)
                    problems.append(.conflictingBackward(Action(other, stage: s, microbatch: j, replica: r), device: d,
                                                         position: position, other: Action(.backward, stage: s, microbatch: j, replica: r)))
                } else if !full && !input && !weight {
                    problems.append(.missing(Action(.backward, stage: s, microbatch: j, replica: r), device: device,
                                             "every stage runs the backward of every micro-batch (B, or I and W)"))
                } else if input != weight {
                    let absent: Op = input ? .weightGrad : .inputGrad
                    problems.append(.missing(Action(absent, stage: s, microbatch: j, replica: r), device: device,
                                             "a split backward needs both I and W"))
                }
            }
        }
        if replicaCount > 1 && !forwardOnly {
            for r in 0..<replicaCount {
                for s in 0..<stageCount where dependencies.id(of: Action(.gradSync, stage: s, replica: r)) == nil {
                    problems.append(.missing(Action(.gradSync, stage: s, replica: r), device: placement.device(replica: r, stage: s),
                                             "replicated stages sum their gradients once all micro-batches are done"))
                }
            }
        }
        return problems
    }

    /// Runs the schedule with zero durations: each device advances while its next action's
    /// predecessors are done. If some device cannot finish, reports the local order violation or the
    /// cycle of waits that stops it.
    private func orderProblem() -> ScheduleProblem? {
        let dependencies = Dependencies(schedule: self)
        let progress = ScheduleProgress(dependencies: dependencies)
        let state = progress.runToCompletion()
        guard !state.isComplete else { return nil }

        // A device whose next action waits for a later action of its own: an ordering mistake.
        for device in 0..<deviceCount {
            guard let head = state.head(of: device), let blocker = state.firstUnfinishedPredecessor(of: head) else { continue }
            if self.device(atIndex: blocker) == device {
                let offset = deviceOffsets[device]
                return .outOfOrder(actions[head], device: device, position: head - offset,
                                   waitsFor: actions[blocker], laterPosition: blocker - offset)
            }
        }
        // Otherwise every stuck device waits on another one; follow the waits until a device repeats.
        guard var device = (0..<deviceCount).first(where: { state.head(of: $0) != nil }) else { return nil }
        var waits: [ScheduleProblem.Wait] = []
        var visited: [Int: Int] = [:]  // device → index in waits
        while visited[device] == nil {
            guard let head = state.head(of: device), let blocker = state.firstUnfinishedPredecessor(of: head) else { return nil }
            let other = self.device(atIndex: blocker)
            visited[device] = waits.count
            waits.append(.init(device: device, action: actions[head], waitsFor: actions[blocker], otherDevice: other))
            device = other
        }
        return .deadlock(Array(waits[visited[device]!...]))
    }
}

/// Zero-time execution of a schedule: which actions can run given which are done. Shared by the
/// validator; the simulator and executor follow the same discipline with real durations.
struct ScheduleProgress {
    let dependencies: Dependencies

    struct State {
        let dependencies: Dependencies
        var done: [Bool]
        var next: [Int]  // per device: id of the next action to run

        var isComplete: Bool {
            (0..<next.count).allSatisfy { next[$0] == dependencies.schedule.deviceOffsets[$0 + 1] }
        }

        func head(of device: Int) -> Int? {
            next[device] < dependencies.schedule.deviceOffsets[device + 1] ? next[device] : nil
        }

        func firstUnfinishedPredecessor(of id: Int) -> Int? {
            dependencies.predecessors(of: id).first { !done[Int($0)] }.map(Int.init)
        }
    }

    /// Advances every device as far as it can go; returns where each one stopped.
    func runToCompletion() -> State {
        let schedule = dependencies.schedule
        var state = State(dependencies: dependencies, done: [Bool](repeating: false, count: schedule.actions.count),
                          next: Array(schedule.deviceOffsets.dropLast()))
        // waiter[id]: a device parked until action id is done; nextWaiter chains several devices.
        var waiter = [Int32](repeating: -1, count: schedule.actions.count)
        var nextWaiter = [Int32](repeating: -1, count: schedule.deviceCount)
        var ready = Array(0..<schedule.deviceCount)
        while let device = ready.popLast() {
            let end = schedule.deviceOffsets[device + 1]
            while state.next[device] < end {
                let id = state.next[device]
                if let blocker = state.firstUnfinishedPredecessor(of: id) {
                    nextWaiter[device] = waiter[blocker]
                    waiter[blocker] = Int32(device)
                    break
                }
                state.done[id] = true
                state.next[device] += 1
                var parked = waiter[id]
                while parked >= 0 {
                    ready.append(Int(parked))
                    parked = nextWaiter[Int(parked)]
                }
                waiter[id] = -1
            }
        }
        return state
    }
}
