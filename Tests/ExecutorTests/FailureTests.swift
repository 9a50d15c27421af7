import Executor
import Schedule
import Testing

@Suite("Watchdog and failures")
struct FailureTests {
    /// Device 0 runs micro-batch 0 first, device 1 micro-batch 1 first: device 0 waits at 0B0 for 1B0,
    /// device 1 waits at 1F1 for 0F1, which device 0 runs only after 0B0.
    static let deadlockCSV = "0F0,0B0,0F1,0B1\n1F1,1B1,1F0,1B0\n"

    static func deadlockingSchedule() throws -> Schedule {
        let rows: [[Action]] = [
            [Action(.forward, stage: 0, microbatch: 0), Action(.backward, stage: 0, microbatch: 0),
             Action(.forward, stage: 0, microbatch: 1), Action(.backward, stage: 0, microbatch: 1)],
            [Action(.forward, stage: 1, microbatch: 1), Action(.backward, stage: 1, microbatch: 1),
             Action(.forward, stage: 1, microbatch: 0), Action(.backward, stage: 1, microbatch: 0)],
        ]
        #expect(ScheduleCSV.export(Schedule(name: "deadlock", placement: try .looped(devices: 2, chunks: 1),
                                            microbatchCount: 2, actionsByDevice: rows)) == deadlockCSV)
        return Schedule(name: "deadlock", placement: try .looped(devices: 2, chunks: 1), microbatchCount: 2, actionsByDevice: rows)
    }

    static let model = MLPConfiguration(layers: 2, hidden: 4, batch: 4)

    @Test("the importer rejects the deadlocking CSV, and so does a validating executor")
    func deadlockIsRejectedWhenValidated() throws {
        #expect(throws: ScheduleError.self) { try ScheduleCSV.parse(Self.deadlockCSV) }
        do {
            _ = try ThreadedExecutor(schedule: try Self.deadlockingSchedule(), model: Self.model)
            Issue.record("a validating executor accepted a deadlocking schedule")
        } catch let error as ExecutorError {
            guard case let .invalidSchedule(why) = error else { Issue.record("unexpected \(error)"); return }
            #expect(why.contains("deadlock"))
        }
    }

    @Test("a deadlocking schedule run unvalidated stops with a stall naming each blocked action")
    func deadlockStalls() throws {
        let options = ExecutorOptions(stallTimeout: 0.2, validatesSchedule: false)
        let executor = try ThreadedExecutor(schedule: try Self.deadlockingSchedule(), model: Self.model, options: options)
        do {
            _ = try executor.run(iterations: 1)
            Issue.record("the deadlocking schedule ran to the end")
        } catch {
            guard case let .stalled(timeout, iteration, devices) = error else { Issue.record("unexpected \(error)"); return }
            #expect(timeout == 0.2)
            #expect(iteration == 0)
            #expect(devices == [
                DeviceState(device: 0, situation: .blocked(action: Action(.backward, stage: 0, microbatch: 0),
                                                           waitsFor: [.init(action: Action(.backward, stage: 1, microbatch: 0), device: 1)])),
                DeviceState(device: 1, situation: .blocked(action: Action(.forward, stage: 1, microbatch: 1),
                                                           waitsFor: [.init(action: Action(.forward, stage: 0, microbatch: 1), device: 0)])),
            ])
            #expect(error.description.contains("device 0 is blocked at 0B0, waiting for 1B0 on device 1"))
            #expect(error.description.contains("device 1 is blocked at 1F1, waiting for 0F1 on device 0"))
        }
        #expect(executor.completedIterations == 0)
    }

    @Test("an action waiting for a later action on its own device stalls too")
    func selfWaitStalls() throws {
        let rows: [[Action]] = [[Action(.backward, stage: 0, microbatch: 0), Action(.forward, stage: 0, microbatch: 0)]]
        let schedule = Schedule(name: "backwards", placement: try .looped(devices: 1, chunks: 1), microbatchCount: 1, actionsByDevice: rows)
        let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 1, hidden: 2, batch: 1),
                                            options: ExecutorOptions(stallTimeout: 0.1, validatesSchedule: false))
        #expect {
            _ = try executor.run()
        } throws: { error in
            guard let error = error as? ExecutorError, case let .stalled(_, _, devices) = error else { return false }
            return devices == [DeviceState(device: 0, situation: .blocked(action: Action(.backward, stage: 0),
                                                                           waitsFor: [.init(action: Action(.forward, stage: 0), device: 0)]))]
        }
    }

    @Test("a device that throws stops every device and names itself")
    func injectedFaultStopsAll() throws {
        let schedule = try ScheduleFamily.oneFOneB.make(devices: 3, microbatches: 4)
        let failing = Action(.backward, stage: 1, microbatch: 1)
        let options = ExecutorOptions(stallTimeout: 10, fault: FaultInjection(iteration: 1, action: failing, message: "disk on fire"))
        let executor = try ThreadedExecutor(schedule: schedule, model: MLPConfiguration(layers: 3, hidden: 4, batch: 8), options: options)
        do {
            _ = try executor.run(iterations: 3)
            Issue.record("the injected fault did not stop the run")
        } catch {
            guard case let .deviceFailed(device, action, iteration, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(device == 1)
            #expect(action == failing)
            #expect(iteration == 1)
            #expect(reason == "disk on fire")
            #expect(error.description == "device 1 failed at 1B1 in iteration 1: disk on fire; all devices were stopped")
        }
    }

    @Test("a NaN loss with fail-on-NaN stops the run at the last stage's forward")
    func nonFiniteLossStops() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 2)
        let model = MLPConfiguration(layers: 2, hidden: 4, batch: 4, learningRate: 1e30)
        let executor = try ThreadedExecutor(schedule: schedule, model: model, options: ExecutorOptions(stallTimeout: 10, failOnNaN: true))
        do {
            _ = try executor.run(iterations: 4)
            Issue.record("a diverging run was not stopped")
        } catch {
            guard case let .deviceFailed(device, action, iteration, reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(device == 1)
            #expect(action.op == .forward && action.stage == 1)
            #expect(iteration >= 1)
            #expect(reason.contains("--fail-on-nan"))
        }
    }

    @Test("without fail-on-NaN a diverging run completes")
    func nonFiniteLossWithoutFlag() throws {
        let schedule = try ScheduleFamily.gpipe.make(devices: 2, microbatches: 2)
        let model = MLPConfiguration(layers: 2, hidden: 4, batch: 4, learningRate: 1e30)
        let results = try ThreadedExecutor(schedule: schedule, model: model).run(iterations: 3)
        #expect(!results[2].loss.isFinite)
    }
}
