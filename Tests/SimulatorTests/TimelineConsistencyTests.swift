import Schedule
import Testing
@testable import Simulator

/// Every timeline obeys the model: durations as costed, device order, dependencies plus transfer
/// time — and, without contention, no action starts later than those force it to.
struct TimelineConsistencyTests {
    static let cases: [(ScheduleFamily, Int, Int, Int, recompute: Bool)] = [
        (.gpipe, 3, 5, 1, false), (.oneFOneB, 5, 11, 1, false), (.interleaved, 3, 6, 2, false), (.interleaved, 4, 8, 3, false),
        (.chimera, 4, 8, 1, false), (.chimera, 6, 9, 1, false), (.zeroBubbleH1, 4, 9, 1, false), (.zeroBubbleH2, 3, 7, 1, false),
        (.zeroBubbleV, 3, 6, 2, false), (.dualPipeV, 3, 7, 2, false), (.loopedBFS, 3, 5, 2, false),
        (.oneFOneB, 3, 5, 1, true), (.zeroBubbleV, 2, 4, 2, true), (.dualPipeV, 2, 5, 2, true),
    ]

    @Test("Durations, device order and dependencies hold; without contention every start is tight", arguments: [false, true])
    func consistent(contention: Bool) throws {
        for (family, p, m, v, recompute) in Self.cases {
            let generated = try family.make(devices: p, microbatches: m, chunks: v)
            let schedule = recompute ? generated.recomputingActivations() : generated
            let stages = schedule.stageCount
            let forward = (0..<stages).map { Double(10 + 7 * ($0 % 4)) }, backward = (0..<stages).map { Double(25 - 3 * ($0 % 5)) }
            let transfer = (0..<stages).map { Double(3 + 5 * ($0 % 3)) }
            let input = (0..<stages).map { Double(9 + 2 * ($0 % 3)) }, weight = (0..<stages).map { Double(8 + ($0 % 4)) }
            let recomputeTime = (0..<stages).map { Double(7 + 3 * ($0 % 2)) }
            let model = CostModel(forward: .perStage(forward), backward: .perStage(backward), inputGrad: .perStage(input),
                                  weightGrad: .perStage(weight), gradSync: .uniform(6), latency: 2, bandwidth: 1e9,
                                  transferBytes: .perStage(transfer), contention: contention, recompute: .perStage(recomputeTime))
            let simulation = try Simulator(costModel: model).run(schedule)
            let timeline = simulation.timeline
            let dependencies = Dependencies(schedule: schedule)
            // What the engine keeps as it runs is what the timeline says; costs resolved once for the
            // placement (as tune reuses them) simulate alike.
            #expect(simulation.makespan == timeline.makespan)
            #expect(simulation.busy == (0..<p).map { timeline.busy(device: $0) })
            let placed = try Simulator(costModel: model).placed(on: schedule.placement)
            let again = try Simulator.run(dependencies, costs: placed).timeline
            #expect(again.start == timeline.start && again.end == timeline.end && again.peakMemory == timeline.peakMemory)
            #expect(dependencies.allActionsInRange && dependencies.uses(.recompute) == recompute)
            func duration(_ action: Action) -> Int64 {
                switch action.op {
                case .forward: Int64(forward[action.stage])
                case .backward: Int64(backward[action.stage])
                case .gradSync: 6
                case .inputGrad: Int64(input[action.stage])
                case .weightGrad: Int64(weight[action.stage])
                case .recompute: Int64(recomputeTime[action.stage])
                }
            }
            func cost(_ u: Action, _ w: Action) -> Int64 {
                if w.op == .gradSync || schedule.placement.device(of: u) == schedule.placement.device(of: w) { return 0 }
                return 2 + Int64(transfer[min(u.stage, w.stage)])
            }
            var problems: [String] = []
            for d in 0..<p {
                var previousEnd: Int64 = 0
                for id in schedule.actionRange(of: d) {
                    let action = schedule.actions[id]
                    var earliest = previousEnd
                    for u in dependencies.predecessors(of: id).map(Int.init) {
                        earliest = max(earliest, timeline.end[u] + cost(schedule.actions[u], action))
                    }
                    if timeline.end[id] - timeline.start[id] != duration(action) { problems.append("\(action): wrong duration") }
                    if timeline.start[id] < earliest { problems.append("\(action) starts at \(timeline.start[id]) before \(earliest)") }
                    if !contention && timeline.start[id] != earliest { problems.append("\(action) starts at \(timeline.start[id]), not \(earliest)") }
                    previousEnd = timeline.end[id]
                }
            }
            #expect(problems.isEmpty, "\(schedule.name) p=\(p) m=\(m) v=\(v): \(problems.prefix(5))")
        }
    }
}
