import Executor
import Schedule
import Testing

/// `--recompute` in the real executor: the gradients stay exact although every forward drops its
/// layers' outputs (overwritten with NaN) and the recompute rebuilds them; the accounted memory drops.
@Suite("Activation recompute")
struct RecomputeTests {
    @Test("gradients equal the sequential reference with every backward recomputed", arguments: ScheduleCase.grid.filter { $0.microbatches <= 4 || $0.family == .dualPipeV })
    func gradientsMatch(_ grid: ScheduleCase) throws {
        let schedule = try grid.schedule().recomputingActivations()
        let model = try grid.model()
        let executor = try ThreadedExecutor(schedule: schedule, model: model)
        let result = try executor.run(iterations: 1)[0]
        let reference = SequentialMLP(model).lossAndGradients()
        #expect(abs(result.loss - reference.loss) <= tolerance * reference.loss)
        for replica in 0..<schedule.replicaCount {
            for stage in 0..<schedule.stageCount {
                for (offset, layer) in executor.layers(ofStage: stage).enumerated() {
                    let gradients = executor.gradients(replica: replica, stage: stage)
                    let weightError = relativeError(gradients[offset].weights, reference.weights[layer])
                    let biasError = relativeError(gradients[offset].bias, reference.biases[layer])
                    #expect(weightError <= tolerance, "replica \(replica) stage \(stage) layer \(layer) weights: \(weightError)")
                    #expect(biasError <= tolerance, "replica \(replica) stage \(stage) layer \(layer) bias: \(biasError)")
                }
            }
        }
    }

    @Test("training with recompute follows the same losses as without, iteration after iteration")
    func sameTraining() throws {
        let grid = ScheduleCase(.zeroBubbleV, p: 2, m: 4, v: 2)
        let plain = try ThreadedExecutor(schedule: grid.schedule(), model: grid.model()).run(iterations: 3).map(\.loss)
        let recomputed = try ThreadedExecutor(schedule: grid.schedule().recomputingActivations(), model: grid.model()).run(iterations: 3).map(\.loss)
        #expect(plain == recomputed)
    }

    @Test("1F1B holds checkpoints between forward and recompute")
    func memory() throws {
        // Layers 4 over 2 stages (k = 2), hidden 8, 2 rows per micro-batch: A = 64 bytes.
        let unit: Int64 = 64
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4).recomputingActivations()
        let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 4, hidden: 8, batch: 8))
        let peak = try executor.run(iterations: 2).map(\.timeline.peakMemory)
        // Device 0: a checkpoint A + the recomputed micro-batch's 3A + its 2A of gradients = 6A (8A without recompute);
        // device 1: 3A + 2A + the transient A = 6A, as without (it holds one micro-batch at a time).
        let parameters = executor.parameterBytes
        for iteration in peak {
            #expect(iteration == [6 * unit + parameters[0], 6 * unit + parameters[1]])
        }
    }
}
