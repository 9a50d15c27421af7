import Schedule

/// The discrete-event simulator: predicts when every action of a schedule starts and ends, how long
/// each device idles and how much memory it holds, from a `CostModel`.
///
/// Each device runs its action list in order; an action starts once the device is free and every
/// predecessor (`Dependencies`) has ended and its data has arrived (a transfer when the predecessor
/// ran on another device). Events are the ends of actions, kept in a heap ordered by (time, device
/// index), so the same schedule and cost model always give the same timeline, bit for bit.
///
/// ```swift
/// let schedule = try ScheduleFamily.oneFOneB.make(devices: 4, microbatches: 8)
/// let simulation = try Simulator(costModel: CostModel(forward: .uniform(1_000), backward: .uniform(2_000)))
///     .run(schedule)
/// print(simulation.timeline.makespan)  // 33000 = (8 + 4 − 1) × 3000
/// ```
public struct Simulator: Sendable {
    /// The costs every run uses.
    public var costModel: CostModel

    public init(costModel: CostModel = CostModel()) {
        self.costModel = costModel
    }

    /// Simulates `schedule`.
    ///
    /// - Parameter validate: whether to run `Schedule.validate()` first (recommended; it costs more
    ///   than the simulation itself for large schedules). Skip it only for schedules already validated:
    ///   an invalid schedule then gives a timeline whose meaning is undefined, or
    ///   `SimulationError.stalled` / `.actionOutOfRange` — never a crash or a hang.
    public func run(_ schedule: Schedule, validate: Bool = true) throws(SimulationError) -> Simulation {
        if validate {
            do { try schedule.validate() } catch { throw .invalidSchedule(error) }
        }
        return try run(Dependencies(schedule: schedule))
    }

    /// Checks that the cost model fits `schedule` (per-stage lists as long as its stages, transfers that
    /// fit in the clock) without simulating, so that a command can refuse it before recording anything.
    public func check(_ schedule: Schedule) throws(SimulationError) {
        do {
            _ = try CostTable(model: costModel, placement: schedule.placement)
        } catch {
            throw .invalidCostModel(error)
        }
    }

    /// Simulates `dependencies.schedule`, reusing its dependency graph; the schedule is not validated
    /// (see `run(_:validate:)`).
    public func run(_ dependencies: Dependencies) throws(SimulationError) -> Simulation {
        try Self.run(dependencies, costs: placed(on: dependencies.schedule.placement))
    }

    /// The cost model resolved for `placement`, to simulate many schedules of it without resolving it
    /// again for each (`run(_:costs:)`).
    public func placed(on placement: Placement) throws(SimulationError) -> PlacedCosts {
        do {
            return PlacedCosts(costModel: costModel, placement: placement, table: try CostTable(model: costModel, placement: placement))
        } catch {
            throw .invalidCostModel(error)
        }
    }

    /// Simulates `dependencies.schedule` with costs resolved for its placement (`placed(on:)`); the
    /// schedule is not validated (see `run(_:validate:)`).
    public static func run(_ dependencies: Dependencies, costs: PlacedCosts) throws(SimulationError) -> Simulation {
        precondition(costs.placement == dependencies.schedule.placement, "costs resolved for another placement")
        return try Engine.run(dependencies, costs.table)
    }
}

/// A cost model resolved for one placement (`Simulator.placed(on:)`): flat integer tables that every
/// schedule of the placement shares.
public struct PlacedCosts: Sendable {
    /// The cost model resolved.
    public let costModel: CostModel
    /// The placement the costs were resolved for.
    public let placement: Placement
    let table: CostTable
}
