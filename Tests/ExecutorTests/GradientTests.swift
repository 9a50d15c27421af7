import Executor
import Schedule
import Testing

/// Tolerance of every comparison with the sequential reference: relative error in the max norm
/// (max |pipelined − reference| / max |reference|, per tensor), float32 pipelined vs Double reference.
let tolerance = 1e-5

@Suite("Gradients equal a sequential MLP")
struct GradientTests {
    @Test("one iteration's gradients match the sequential reference", arguments: ScheduleCase.grid)
    func gradientsMatch(_ grid: ScheduleCase) throws {
        let schedule = try grid.schedule()
        let model = try grid.model()
        let executor = try ThreadedExecutor(schedule: schedule, model: model)
        let results = try executor.run(iterations: 1)
        let reference = SequentialMLP(model).lossAndGradients()

        #expect(abs(results[0].loss - reference.loss) <= tolerance * reference.loss)
        for replica in 0..<schedule.replicaCount {
            for stage in 0..<schedule.stageCount {
                let gradients = executor.gradients(replica: replica, stage: stage)
                let layers = executor.layers(ofStage: stage)
                #expect(gradients.count == layers.count)
                for (offset, layer) in layers.enumerated() {
                    let weightError = relativeError(gradients[offset].weights, reference.weights[layer])
                    let biasError = relativeError(gradients[offset].bias, reference.biases[layer])
                    #expect(weightError <= tolerance, "replica \(replica) stage \(stage) layer \(layer) weights: \(weightError)")
                    #expect(biasError <= tolerance, "replica \(replica) stage \(stage) layer \(layer) bias: \(biasError)")
                }
            }
        }
    }

    @Test("the measured timeline respects every dependency", arguments: ScheduleCase.grid.filter { $0.devices > 1 })
    func timelineRespectsDependencies(_ grid: ScheduleCase) throws {
        let schedule = try grid.schedule()
        let executor = try ThreadedExecutor(schedule: schedule, model: try grid.model())
        let timeline = try executor.run(iterations: 1)[0].timeline
        let dependencies = Dependencies(schedule: schedule)
        for id in schedule.actions.indices {
            #expect(timeline.start[id] >= 0 && timeline.end[id] >= timeline.start[id])
            for predecessor in dependencies.predecessors(of: id) {
                #expect(timeline.end[Int(predecessor)] <= timeline.start[id],
                        "\(schedule.actions[id]) started before \(schedule.actions[Int(predecessor)]) ended")
            }
        }
        for device in 0..<schedule.deviceCount {
            let range = schedule.actionRange(of: device)
            for id in range.dropFirst() { #expect(timeline.start[id] >= timeline.end[id - 1]) }
        }
    }

    @Test("an emulated link delays transfers but not the numbers")
    func linkEmulationKeepsGradients() throws {
        let grid = ScheduleCase(.oneFOneB, p: 3, m: 4)
        let schedule = try grid.schedule()
        let model = try grid.model()
        let options = ExecutorOptions(link: LinkEmulation(latency: 0.000_2, bandwidth: 1e9))
        let executor = try ThreadedExecutor(schedule: schedule, model: model, options: options)
        let result = try executor.run(iterations: 1)[0]
        let reference = SequentialMLP(model).lossAndGradients()
        #expect(abs(result.loss - reference.loss) <= tolerance * reference.loss)
        let dependencies = Dependencies(schedule: schedule)
        // Across devices an action starts no earlier than its predecessor's end plus the latency.
        for id in schedule.actions.indices {
            for predecessor in dependencies.predecessors(of: id) where schedule.device(atIndex: Int(predecessor)) != schedule.device(atIndex: id) {
                #expect(result.timeline.start[id] - result.timeline.end[Int(predecessor)] >= 200_000)
            }
        }
        for stage in 0..<schedule.stageCount {
            for (offset, layer) in executor.layers(ofStage: stage).enumerated() {
                #expect(relativeError(executor.gradients(stage: stage)[offset].weights, reference.weights[layer]) <= tolerance)
            }
        }
    }
}
