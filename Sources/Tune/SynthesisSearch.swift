import Schedule
import Simulator

/// Local search on the per-device orders of one candidate: moves along the critical path of its
/// simulated timeline (swap two neighbours, move a weight gradient later into a gap or earlier into
/// an idle slot), each re-simulated with `Simulator`; a move is kept only when it shortens the
/// makespan (or, at equal makespan, the sum of the devices' last ends) and stays within the budget.
/// The improvement step of the zero-bubble paper's automatic scheduling (Qi et al., ICLR 2024, §3),
/// done by simulation instead of an ILP.
struct SynthesisSearch {
    /// The cost model resolved once for the placement, for every simulation of the search.
    let placedCosts: PlacedCosts
    let costs: SynthesisCosts
    let microbatches: Int
    let memoryBudget: Int64?
    /// Simulations left to this search.
    var evaluationsLeft: Int

    /// A simulated order and what ranks it.
    struct Evaluated: Sendable {
        let lists: [[Action]]
        let simulation: Simulation
        let makespan: Int64
        let endSum: Int64
        let peak: Int64

        /// Whether this is strictly better than `other`: shorter, or as short with earlier device ends.
        func beats(_ other: Evaluated) -> Bool {
            (makespan, endSum) < (other.makespan, other.endSum)
        }
    }

    /// Simulates `lists` (not validated: a wrong order stalls and is dropped); nil when it stalls.
    func evaluate(_ lists: [[Action]]) -> Evaluated? {
        let schedule = Schedule(name: "synth", placement: costs.placement, microbatchCount: microbatches, actionsByDevice: lists)
        guard let simulation = try? Simulator.run(Dependencies(schedule: schedule), costs: placedCosts) else { return nil }
        let timeline = simulation.timeline
        let endSum = (0..<schedule.deviceCount).reduce(Int64(0)) { sum, device in
            sum + (schedule.actionRange(of: device).last.map { timeline.end[$0] } ?? 0)
        }
        return Evaluated(lists: lists, simulation: simulation, makespan: timeline.makespan, endSum: endSum,
                         peak: timeline.peakMemory.max() ?? 0)
    }

    /// Whether `evaluated` stays within the budget.
    func fits(_ evaluated: Evaluated) -> Bool {
        memoryBudget.map { evaluated.peak <= $0 } ?? true
    }

    /// Improves `start` until the bound is reached or the evaluations run out: a descent over the
    /// critical-path moves, and from each local optimum a few random swaps of neighbours (a kick,
    /// seeded, so runs are deterministic) and another descent, keeping the best order seen.
    mutating func improve(_ start: Evaluated, lowerBound: Int64) -> Evaluated {
        var best = descend(start, lowerBound: lowerBound)
        var generator = SeededGenerator(seed: 0x5EED)
        while evaluationsLeft > 0 && best.makespan > lowerBound {
            guard let kicked = kick(best, using: &generator) else { continue }
            let candidate = descend(kicked, lowerBound: lowerBound)
            if candidate.beats(best) { best = candidate }
        }
        return best
    }

    /// First-improvement descent over `moves(of:)` until none helps.
    private mutating func descend(_ start: Evaluated, lowerBound: Int64) -> Evaluated {
        var current = start
        var improved = true
        while improved && evaluationsLeft > 0 && current.makespan > lowerBound {
            improved = false
            for move in moves(of: current) where evaluationsLeft > 0 {
                evaluationsLeft -= 1
                guard let next = evaluate(move), fits(next), next.beats(current) else { continue }
                current = next
                improved = true
                break
            }
        }
        return current
    }

    /// `current` with three random pairs of neighbours swapped, if it still runs within the budget.
    private mutating func kick(_ current: Evaluated, using generator: inout SeededGenerator) -> Evaluated? {
        var lists = current.lists
        for _ in 0..<3 {
            let device = Int(generator.next() % UInt64(lists.count))
            guard lists[device].count > 1 else { continue }
            let position = 1 + Int(generator.next() % UInt64(lists[device].count - 1))
            lists[device].swapAt(position - 1, position)
        }
        evaluationsLeft -= 1
        guard let next = evaluate(lists), fits(next) else { return nil }
        return next
    }

    /// Candidate orders, each one move away from `current`, most promising first.
    private func moves(of current: Evaluated) -> [[[Action]]] {
        let schedule = current.simulation.timeline.schedule
        let start = current.simulation.timeline.start, end = current.simulation.timeline.end
        func gap(at position: Int, device: Int) -> Bool {
            let id = schedule.deviceOffsets[device] + position
            return start[id] > end[id - 1] + costs.dispatch
        }
        func firstGap(after position: Int, device: Int) -> Int {
            let count = current.lists[device].count
            return ((position + 1)..<count).first { gap(at: $0, device: device) } ?? count
        }
        func lastGap(before position: Int, device: Int, earliest: Int) -> Int? {
            stride(from: position - 1, through: max(earliest, 1), by: -1).first { gap(at: $0, device: device) }
        }
        var result: [[[Action]]] = []
        for (device, position) in deviceBoundEdges(current) {
            let list = current.lists[device]
            let before = list[position - 1], after = list[position]
            /// `list` with the action at `from` moved to index `to` (counted before the removal).
            func moved(_ from: Int, to: Int) -> [[Action]] {
                var lists = current.lists
                let action = lists[device].remove(at: from)
                lists[device].insert(action, at: to > from ? to - 1 : to)
                return lists
            }
            // The held-back action first, one to three places earlier.
            for places in 1...3 where position - places >= 0 { result.append(moved(position, to: position - places)) }
            if before.op == .weightGrad {
                result.append(moved(position - 1, to: firstGap(after: position, device: device)))
            }
            if after.op == .weightGrad, let gap = lastGap(before: position, device: device, earliest: ownInputPosition(of: after, in: list) + 1) {
                result.append(moved(position, to: gap))
            }
            // A weight gradient shortly before the held-back pair moved behind it.
            if let earlier = (max(0, position - 4)..<(position - 1)).last(where: { list[$0].op == .weightGrad }) {
                result.append(moved(earlier, to: position + 1))
            }
        }
        return result
    }

    /// Position of the `I` that weight gradient `weight` waits for in its device's list (−1 if absent).
    private func ownInputPosition(of weight: Action, in list: [Action]) -> Int {
        list.firstIndex(of: Action(.inputGrad, stage: weight.stage, microbatch: weight.microbatch)) ?? -1
    }

    /// The critical path of `current`'s timeline, walked back from the last end: every place where an
    /// action started only because its device had just become free, as (device, position).
    private func deviceBoundEdges(_ current: Evaluated) -> [(Int, Int)] {
        let timeline = current.simulation.timeline, schedule = timeline.schedule
        let dependencies = Dependencies(schedule: schedule)
        guard var id = timeline.end.indices.max(by: { timeline.end[$0] < timeline.end[$1] }) else { return [] }
        var edges: [(Int, Int)] = []
        while true {
            let device = schedule.device(atIndex: id)
            let action = schedule.actions[id]
            let bindingPredecessor = dependencies.predecessors(of: id).first { u in
                let producer = schedule.actions[Int(u)]
                let hop = costs.placement.device(stage: producer.stage) == device ? 0 : costs.transfer[min(producer.stage, action.stage)]
                return timeline.end[Int(u)] + hop == timeline.start[id]
            }
            if let u = bindingPredecessor {
                id = Int(u)
            } else if id > schedule.deviceOffsets[device], timeline.start[id] == timeline.end[id - 1] + costs.dispatch {
                edges.append((device, id - schedule.deviceOffsets[device]))
                id -= 1
            } else {
                return edges
            }
        }
    }
}
