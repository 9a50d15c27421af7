import Executor
import Schedule
import Simulator

/// The executors of one calibration round and every iteration they measured; `Calibrator` drives it
/// block by block and fits the cost model from it (`fit`).
final class CalibrationSession {
    /// One calibration schedule, its executor and its measured iterations.
    private struct Plan {
        enum Role { case pipeline, split, chimera }
        let role: Role
        let executor: ThreadedExecutor
        let dependencies: Dependencies
        var measured: [IterationResult] = []
    }

    private let settings: CalibrationSettings
    private var plans: [Plan]
    /// Layers of the pipeline's virtual stages, and of Chimera's stages (the virtual ones merged `chunks` at a time).
    private let fineLayers: [Int]
    private let coarseLayers: [Int]

    var scheduleNames: [String] { plans.map(\.executor.schedule.name) }

    init(settings s: CalibrationSettings) throws {
        let model = MLPConfiguration(layers: s.layers, hidden: s.hidden, batch: s.batch, seed: s.seed, layersPerStage: s.layersPerStage)
        let family: ScheduleFamily = s.chunks > 1 ? .interleaved : .oneFOneB
        let pipeline: Schedule
        let fineLayers: [Int]
        do {
            pipeline = try family.make(devices: s.devices, microbatches: s.microbatches, chunks: s.chunks)
            fineLayers = try model.stageLayerCounts(stages: pipeline.stageCount)
        } catch {
            throw CalibrationError.invalidSettings("\(error)")
        }
        let coarseLayers = stride(from: 0, to: fineLayers.count, by: s.chunks).map {
            fineLayers[$0..<min($0 + s.chunks, fineLayers.count)].reduce(0, +)
        }
        var coarseModel = model
        coarseModel.layersPerStage = coarseLayers
        let link = (s.linkLatency != nil || s.linkBandwidth != nil) ? LinkEmulation(latency: s.linkLatency ?? 0, bandwidth: s.linkBandwidth) : nil
        let options = ExecutorOptions(link: link)
        var schedules: [(Plan.Role, Schedule)] = [(.pipeline, pipeline), (.split, Calibrator.splitBackward(pipeline))]
        if s.devices % 2 == 0, let chimera = try? ScheduleFamily.chimera.make(devices: s.devices, microbatches: s.microbatches) {
            schedules.append((.chimera, chimera))
        }
        do {
            plans = try schedules.map { role, schedule in
                Plan(role: role, executor: try ThreadedExecutor(schedule: schedule, model: role == .chimera ? coarseModel : model, options: options),
                     dependencies: Dependencies(schedule: schedule))
            }
        } catch {
            throw CalibrationError.executor("\(error)")
        }
        settings = s
        self.fineLayers = fineLayers
        self.coarseLayers = coarseLayers
    }

    /// Runs `iterations` of every calibration schedule and discards them.
    func warmUp(iterations: Int) throws {
        for plan in plans {
            for _ in 0..<iterations { _ = try run(plan.executor) }
        }
    }

    /// Block `number`: every calibration schedule in turn — one discarded iteration when
    /// `discardFirst`, then `iterations` measured — and `between` once, in the order of row `number`
    /// of `TurnOrder`: over its rows every turn follows each of the others about equally often, since
    /// what ran just before decides what is left in the caches (a plain rotation of one order would
    /// keep the same successions: the run would nearly always follow the same schedule).
    func measureBlock(_ number: Int, iterations: Int, discardFirst: Bool, between: (() throws -> Void)?) throws {
        let order = TurnOrder(turns: plans.count + (between == nil ? 0 : 1))
        for index in order.row(number) {
            guard index < plans.count else {
                try between?()
                continue
            }
            if discardFirst { _ = try run(plans[index].executor) }
            for _ in 0..<iterations { plans[index].measured.append(try run(plans[index].executor)) }
        }
    }

    /// One iteration per call, as `stagecraft run` measures (fresh device threads each time: their
    /// start-up is part of what a measured iteration costs).
    private func run(_ executor: ThreadedExecutor) throws -> IterationResult {
        do {
            return try executor.run(iterations: 1)[0]
        } catch {
            throw CalibrationError.executor(error.description)
        }
    }

    /// The cost model of everything measured so far, self-checked against the calibration schedules.
    func fit() -> Calibrator.Result {
        let s = settings
        let stageCount = fineLayers.count
        var samples = TimingSamples(stageCount: stageCount)
        var chimeraSamples = TimingSamples(stageCount: coarseLayers.count)
        var optimizer: [Double] = []
        var spread: [String: Double] = [:]
        var memory = CostModel()
        for plan in plans {
            spread[plan.executor.schedule.name] = Spread(plan.measured.map(\.timeline.makespan)).relativeIQR
            for result in plan.measured {
                switch plan.role {
                case .pipeline:
                    samples.add(result.timeline, plan.dependencies)
                    optimizer.append(Double(result.stepTime - (result.timeline.end.max() ?? 0)))
                case .split:
                    // Its forwards follow a W, not a B, and run faster than in schedules that use B: I and W only.
                    samples.add(result.timeline, plan.dependencies, durationsOf: [.inputGrad, .weightGrad])
                case .chimera:
                    chimeraSamples.add(result.timeline, plan.dependencies)
                }
            }
            if plan.role == .pipeline { ExecutorMemory.apply(to: &memory, executor: plan.executor) }
        }

        // Device speeds from Chimera; the pipeline's durations become those of a device of speed 1.
        let chimera = plans.first { $0.role == .chimera }
        let speeds = DeviceSpeedFit.speeds(chimera?.measured.map(\.timeline) ?? [])
        let pipeline = plans[0]  // `init` puts the pipeline first
        func speed(ofStage stage: Int) -> Double {
            speeds.isEmpty ? 1 : speeds[pipeline.executor.schedule.placement.device(replica: 0, stage: stage)]
        }
        /// Warm durations; an op only ever measured cold gets its cold estimate (and no separate extra).
        func perStage(_ op: Op) -> StageValues {
            .perStage((0..<stageCount).map {
                (samples.warm(op, stage: $0) ?? samples.cold(op, stage: $0) ?? samples.first(op, stage: $0) ?? 0) / speed(ofStage: $0)
            })
        }
        var cost = memory
        cost.deviceSpeed = speeds
        cost.forward = perStage(.forward)
        cost.backward = perStage(.backward)
        cost.inputGrad = perStage(.inputGrad)
        cost.weightGrad = perStage(.weightGrad)
        cost.gradSync = .perStage((0..<stageCount).map { stage in
            let coarse = stage / s.chunks
            return (chimeraSamples.warm(.gradSync, stage: coarse) ?? chimeraSamples.cold(.gradSync, stage: coarse) ?? 0)
                * Double(fineLayers[stage]) / Double(max(1, coarseLayers[coarse]))
        })
        let stagesPerDevice = Double(stageCount) / Double(s.devices)
        cost.optimizerStep = .uniform(max(0, (TimingSamples.median(optimizer) ?? 0) / stagesPerDevice))
        cost.latency = max(0, TimingSamples.median(samples.handOffs) ?? 0) + (s.linkLatency ?? 0) * 1e9
        cost.dispatch = max(0, TimingSamples.median(samples.gaps) ?? 0)
        // Stage switches: the interleaved pipeline's own; with one stage per device, Chimera's (its
        // devices alternate between their two stages).
        let chimeraSwitches = chimeraSamples.coldStart()
        cost.coldStart = .perStage(s.chunks == 1 && chimeraSwitches.count == stageCount ? chimeraSwitches : samples.coldStart())
        cost.firstAction = .perStage(samples.firstAction())
        cost.firstOfOp = samples.firstOfOp()
        if let bandwidth = s.linkBandwidth {
            cost.bandwidth = bandwidth
            cost.transferBytes = .uniform(Double(s.batch / max(1, s.microbatches)) * Double(s.hidden) * 4)
        }
        if let chimera {
            cost.workingSet = WorkingSetFit.points(pipeline: samples, pipelineParameters: pipeline.executor.parameterBytes,
                                                   chimera: chimeraSamples, chimeraParameters: chimera.executor.parameterBytes)
        }

        var counts: [String: Int] = [:]
        for op in Op.allCases where op != .gradSync {
            let n = samples.count(op)
            if n > 0 { counts[op.token] = n }
        }
        let syncs = chimeraSamples.count(.gradSync)
        if syncs > 0 { counts[Op.gradSync.token] = syncs }
        // A pipeline whose actions jitter takes longer than the same pipeline at their typical
        // durations: every wait on another device takes the later of two jittered ends. That time is
        // spent waiting, not computing, so it goes into the hand-off latency: raised by the amount
        // that makes the model predict the calibration schedules' median makespans (durations, and so
        // busy time, stay as measured).
        let jitter = fitJitter(cost)
        cost.latency += jitter
        return Calibrator.Result(costModel: cost, settings: s, samples: counts, handOffSamples: samples.handOffs.count,
                                 dispatchSamples: samples.gaps.count, spread: spread, selfCheck: selfCheck(cost), repetitions: 0, retries: 0, warnings: [],
                                 jitter: jitter)
    }

    /// The latency (ns, ≥ −latency) to add so that the median over the calibration schedules of
    /// (predicted − measured) / measured makespan is 0, by bisection (the makespan grows with latency).
    private func fitJitter(_ cost: CostModel) -> Double {
        func medianError(_ extra: Double) -> Double {
            var model = cost
            model.latency += extra
            return TimingSamples.median(selfCheck(model).map(\.error)) ?? 0
        }
        guard let longest = plans.flatMap({ $0.measured.map(\.timeline.makespan) }).max(), longest > 0 else { return 0 }
        var low = -cost.latency, high = Double(longest) / Double(max(1, 2 * settings.microbatches))
        if medianError(low) >= 0 { return low }
        if medianError(high) <= 0 { return high }
        for _ in 0..<24 {
            let middle = (low + high) / 2
            if medianError(middle) < 0 { low = middle } else { high = middle }
        }
        return ((low + high) / 2).rounded()
    }

    /// Each calibration schedule predicted with `cost` (merged to Chimera's stages for Chimera) against
    /// its measured makespans.
    private func selfCheck(_ cost: CostModel) -> [Calibrator.SelfCheck] {
        plans.compactMap { plan in
            guard !plan.measured.isEmpty else { return nil }
            var model = cost
            if plan.role == .chimera {
                guard let merged = try? StageMerge.merge(cost, into: coarseLayers.count) else { return nil }
                model = merged
                ExecutorMemory.apply(to: &model, executor: plan.executor)
            }
            guard let simulation = try? Simulator(costModel: model).run(plan.executor.schedule) else { return nil }
            return Calibrator.SelfCheck(schedule: plan.executor.schedule.name, predicted: simulation.timeline.makespan,
                                        measured: Spread(plan.measured.map(\.timeline.makespan)))
        }
    }
}
