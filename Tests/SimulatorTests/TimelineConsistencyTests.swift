import Schedule
import Testing
@testable import Simulator

/// Every timeline obeys the model: durations as costed, device order, dependencies plus transfer
/// time — and, without contention, no action starts later than those force it to.
struct TimelineConsistencyTests {
    static let cases: [(ScheduleFamily, Int, Int, Int)] = [
        (.gpipe, 3, 5, 1), (.oneFOneB, 5, 11, 1), (.interleaved, 3, 6, 2), (.interleaved, 4, 8, 3), (.chimera, 4, 8, 1), (.chimera, 6, 9, 1),
    ]

    @Test("Durations, device order and dependencies hold; without contention every start is tight", arguments: [false, true])
    func consistent(contention: Bool) throws {
        for (family, p, m, v) in Self.cases {
            let schedule = try family.make(devices: p, microbatches: m, chunks: v)
            let stages = schedule.stageCount
            let forward = (0..<stages).map { Double(10 + 7 * ($0 % 4)) }, backward = (0..<stages).map { Double(25 - 3 * ($0 % 5)) }
            let transfer = (0..<stages).map { Double(3 + 5 * ($0 % 3)) }
            let model = CostModel(forward: .perStage(forward), backward: .perStage(backward), gradSync: .uniform(6), latency: 2,
                                  bandwidth: 1e9, transferBytes: .perStage(transfer), contention: contention)
            let timeline = try Simulator(costModel: model).run(schedule).timeline
            let dependencies = Dependencies(schedule: schedule)
            func duration(_ action: Action) -> Int64 {
                switch action.op {
                case .forward: Int64(forward[action.stage])
                case .backward: Int64(backward[action.stage])
                case .gradSync: 6
                case .inputGrad, .weightGrad, .recompute: -1  // not in these schedules
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
            #expect(problems.isEmpty, "\(family.rawValue) p=\(p) m=\(m) v=\(v): \(problems.prefix(5))")
        }
    }
}
