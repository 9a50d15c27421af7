import Schedule
@testable import Simulator

/// Simulates a generated schedule under uniform costs (validated first).
func simulate(_ family: ScheduleFamily, devices: Int, microbatches: Int, chunks: Int = 1,
              _ model: CostModel) throws -> Simulation {
    let schedule = try family.make(devices: devices, microbatches: microbatches, chunks: chunks)
    return try Simulator(costModel: model).run(schedule)
}

/// A cost model with uniform forward and backward durations and nothing else.
func uniform(forward: Double, backward: Double) -> CostModel {
    CostModel(forward: .uniform(forward), backward: .uniform(backward))
}
