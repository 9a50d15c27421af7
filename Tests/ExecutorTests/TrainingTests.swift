import Executor
import Schedule
import Testing

@Suite("Training over several iterations")
struct TrainingTests {
    static let cases = [
        ScheduleCase(.gpipe, p: 3, m: 4),
        ScheduleCase(.oneFOneB, p: 4, m: 8),
        ScheduleCase(.interleaved, p: 2, m: 4, v: 2),
        ScheduleCase(.interleaved, p: 3, m: 5, v: 1),
        ScheduleCase(.chimera, p: 4, m: 8),
        ScheduleCase(.chimera, p: 2, m: 3),
    ]

    @Test("K iterations give the losses of K sequential iterations, decreasing", arguments: cases)
    func lossesMatchSequentialTraining(_ grid: ScheduleCase) throws {
        let iterations = 6
        let model = try grid.model(learningRate: 0.1)
        let executor = try ThreadedExecutor(schedule: try grid.schedule(), model: model)
        let losses = try executor.run(iterations: iterations).map(\.loss)
        var reference = SequentialMLP(model)
        let expected = (0..<iterations).map { _ in reference.train(learningRate: Double(model.learningRate)) }
        #expect(losses.count == iterations)
        for (loss, want) in zip(losses, expected) {
            #expect(abs(loss - want) <= tolerance * want, "loss \(loss), sequential \(want)")
        }
        for k in 1..<iterations { #expect(losses[k] < losses[k - 1], "loss did not decrease at iteration \(k): \(losses)") }
        #expect(executor.completedIterations == iterations)
    }

    @Test("separate runs continue training where the last one stopped")
    func runsContinue() throws {
        let grid = ScheduleCase(.oneFOneB, p: 2, m: 4)
        let model = try grid.model(learningRate: 0.1)
        let executor = try ThreadedExecutor(schedule: try grid.schedule(), model: model)
        var losses: [Double] = []
        for _ in 0..<3 { losses += try executor.run(iterations: 1).map(\.loss) }
        var reference = SequentialMLP(model)
        for (k, loss) in losses.enumerated() {
            let want = reference.train(learningRate: Double(model.learningRate))
            #expect(abs(loss - want) <= tolerance * want, "iteration \(k)")
        }
    }

    @Test("Chimera's two replicas hold identical weights after every step", arguments: [2, 4])
    func chimeraReplicasStayIdentical(devices: Int) throws {
        let grid = ScheduleCase(.chimera, p: devices, m: 2 * devices)
        let schedule = try grid.schedule()
        let executor = try ThreadedExecutor(schedule: schedule, model: try grid.model(learningRate: 0.1))
        let initial = executor.parameters(replica: 0, stage: 0)
        for _ in 0..<4 {
            _ = try executor.run(iterations: 1)
            for stage in 0..<schedule.stageCount {
                #expect(executor.parameters(replica: 0, stage: stage) == executor.parameters(replica: 1, stage: stage), "stage \(stage)")
                #expect(executor.gradients(replica: 0, stage: stage) == executor.gradients(replica: 1, stage: stage), "stage \(stage)")
            }
        }
        #expect(executor.parameters(replica: 0, stage: 0) != initial)
    }

    @Test("forward-only runs the forwards, gives the loss and leaves the weights alone")
    func forwardOnly() throws {
        let grid = ScheduleCase(.oneFOneB, p: 3, m: 3)
        let model = try grid.model()
        let executor = try ThreadedExecutor(schedule: try grid.schedule(), model: model, options: ExecutorOptions(forwardOnly: true))
        let before = (0..<3).map { executor.parameters(stage: $0) }
        let results = try executor.run(iterations: 2)
        #expect(executor.schedule.actions.allSatisfy { $0.op == .forward })
        #expect(executor.schedule.actions.count == 9)
        let reference = SequentialMLP(model).lossAndGradients().loss
        for result in results { #expect(abs(result.loss - reference) <= tolerance * reference) }
        #expect((0..<3).map { executor.parameters(stage: $0) } == before)
    }
}
