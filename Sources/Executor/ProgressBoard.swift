import Schedule
import Synchronization

/// The devices' shared view of one run: which actions are done, who waits for what, the iteration
/// barrier, and the stop flag. Actions wait here until `Dependencies` says they may run; a finished
/// action wakes exactly the devices parked on it. One mutex guards everything, with one condition
/// per device (no polling), one for the watchdog and one for the end of the run. When every device
/// has a core of its own, a blocked device spins on an atomic counter instead of parking — at the
/// iteration barrier too — until what it waits for is done: waking a parked thread costs 30–60 µs on
/// the critical path, and a wait that sometimes spins and sometimes parks (as a brief spin did) makes
/// the hand-off, and so every measured iteration, vary. A barrier release and a stop (a failure, or
/// the watchdog's) bump the counter too, so a spinning device notices them.
///
/// `@unchecked Sendable`: every mutable field is read and written only while holding `lock`, except
/// `completions`, which is atomic.
final class ProgressBoard: @unchecked Sendable {
    private let lock = Lock()
    private let dependencies: Dependencies
    private let deviceCount: Int
    /// Device of each action id.
    private let deviceOfAction: [Int32]
    /// ns a transfer takes between devices (link emulation); 0 for none.
    private let linkDelay: Int64
    /// Whether a blocked device spins instead of parking (every device has a core of its own).
    private let spins: Bool
    /// Bumped by every completion, barrier release and stop, for spinning without the lock.
    private let completions = Atomic<Int>(0)

    // Guarded by `lock`.
    /// Per action id: the iteration number + 1 in which it last finished (0: never).
    private let doneGeneration: UnsafeMutablePointer<Int32>
    /// Per action id: when its output reaches another device (end + link delay), monotonic ns.
    private let availableAt: UnsafeMutablePointer<Int64>
    /// Per device: the action it is at (−1 before its first), whether it is computing, the action it
    /// is parked on (−1 when none), whether it finished the iteration's actions.
    private var head: [Int]
    private var running: [Bool]
    private var waitingOn: [Int]
    private var finished: [Bool]
    private var lastProgress: Int64
    private var stopped = false
    private var runEnded = false
    private(set) var failure: ExecutorError?
    private var currentIteration = 0
    private var arrived = 0
    private var barrierGeneration = 0
    private var iterationStart: Int64 = 0
    private var liveThreads = 0

    private let deviceConditions: [Lock.Condition]
    private let watchdogCondition: Lock.Condition
    private let exitCondition: Lock.Condition

    init(dependencies: Dependencies, linkDelay: Int64, spins: Bool) {
        let schedule = dependencies.schedule
        self.dependencies = dependencies
        deviceCount = schedule.deviceCount
        var owner = [Int32](repeating: 0, count: schedule.actions.count)
        for device in 0..<schedule.deviceCount {
            for id in schedule.actionRange(of: device) { owner[id] = Int32(device) }
        }
        deviceOfAction = owner
        self.linkDelay = linkDelay
        self.spins = spins
        doneGeneration = .allocate(capacity: max(1, schedule.actions.count))
        doneGeneration.initialize(repeating: 0, count: max(1, schedule.actions.count))
        availableAt = .allocate(capacity: max(1, schedule.actions.count))
        availableAt.initialize(repeating: 0, count: max(1, schedule.actions.count))
        head = [Int](repeating: -1, count: deviceCount)
        running = [Bool](repeating: false, count: deviceCount)
        waitingOn = [Int](repeating: -1, count: deviceCount)
        finished = [Bool](repeating: false, count: deviceCount)
        lastProgress = MonotonicClock.now()
        let lock = self.lock
        deviceConditions = (0..<schedule.deviceCount).map { _ in Lock.Condition(lock) }
        watchdogCondition = Lock.Condition(lock)
        exitCondition = Lock.Condition(lock)
    }

    deinit {
        doneGeneration.deallocate()
        availableAt.deallocate()
    }

    // MARK: Device side

    /// Waits until every device has arrived for `iteration`; returns the iteration's start time (the
    /// moment the last device arrived), or nil when the run was stopped.
    func startIteration(device: Int, iteration: Int) -> Int64? {
        lock.lock()
        defer { lock.unlock() }
        head[device] = -1
        finished[device] = false
        arrived += 1
        if arrived == deviceCount {
            arrived = 0
            barrierGeneration += 1
            iterationStart = MonotonicClock.now()
            lastProgress = iterationStart
            currentIteration = iteration
            completions.add(1, ordering: .releasing)
            for condition in deviceConditions { condition.signal() }
        } else {
            let generation = barrierGeneration
            while generation == barrierGeneration && !stopped {
                if spins { spinUnlocked() } else { deviceConditions[device].wait() }
            }
        }
        return stopped ? nil : iterationStart
    }

    /// Waits until action `id` of `device` may run in `iteration`: every predecessor finished in this
    /// iteration and, across devices, its output has arrived. Returns false when the run was stopped.
    func waitForPredecessors(of id: Int, device: Int, iteration: Int) -> Bool {
        let generation = Int32(iteration + 1)
        lock.lock()
        defer { lock.unlock() }
        head[device] = id
        while !stopped {
            var blocker = -1
            var readyAt: Int64 = 0
            for predecessor in dependencies.predecessors(of: id) {
                let p = Int(predecessor)
                if doneGeneration[p] < generation { blocker = p; break }
                if linkDelay > 0 && Int(deviceOfAction[p]) != device && availableAt[p] > readyAt { readyAt = availableAt[p] }
            }
            if blocker >= 0 {
                waitingOn[device] = blocker
                if spins { spinUnlocked() } else { deviceConditions[device].wait() }
                continue
            }
            waitingOn[device] = -1
            if readyAt > 0 && MonotonicClock.now() < readyAt {
                if spins {
                    lock.unlock()
                    while MonotonicClock.now() < readyAt {}
                    lock.lock()
                } else {
                    deviceConditions[device].wait(until: readyAt)
                }
                continue
            }
            running[device] = true
            return true
        }
        waitingOn[device] = -1
        return false
    }

    /// Releases the lock, spins until the counter moves (a completion, a barrier release or a stop),
    /// and takes the lock again.
    @inline(__always)
    private func spinUnlocked() {
        let seen = completions.load(ordering: .acquiring)
        lock.unlock()
        while completions.load(ordering: .acquiring) == seen {}
        lock.lock()
    }

    /// Marks action `id` of `device` finished at `end` (monotonic ns) and wakes the devices parked on it.
    func complete(_ id: Int, device: Int, iteration: Int, end: Int64) {
        lock.lock()
        doneGeneration[id] = Int32(iteration + 1)
        availableAt[id] = end + linkDelay
        lastProgress = end
        running[device] = false
        completions.add(1, ordering: .releasing)
        for other in 0..<deviceCount where waitingOn[other] == id { deviceConditions[other].signal() }
        lock.unlock()
    }

    /// Marks `device` done with the iteration's actions.
    func finishActions(device: Int) {
        lock.withLock {
            finished[device] = true
            head[device] = -1
        }
    }

    /// Stops every device because of `error` (the first failure wins).
    func fail(_ error: ExecutorError) {
        lock.withLock { stopLocked(error) }
    }

    private func stopLocked(_ error: ExecutorError) {
        guard !stopped else { return }
        stopped = true
        failure = error
        completions.add(1, ordering: .releasing)
        for condition in deviceConditions { condition.broadcast() }
        watchdogCondition.broadcast()
    }

    // MARK: Threads

    /// Counts a thread that will call `threadExited()` when it ends.
    func threadStarted() { lock.withLock { liveThreads += 1 } }

    func threadExited() {
        lock.withLock {
            liveThreads -= 1
            exitCondition.broadcast()
        }
    }

    /// Waits until every started device thread has exited, then stops the watchdog.
    func waitForThreads() {
        lock.withLock {
            while liveThreads > 0 { exitCondition.wait() }
            runEnded = true
            watchdogCondition.broadcast()
        }
    }

    // MARK: Watchdog

    /// Runs until the run ends or stops; stops it with `ExecutorError.stalled` when no action finishes
    /// for `timeout` ns.
    func watch(timeout: Int64, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        while !stopped && !runEnded {
            let deadline = lastProgress + timeout
            if MonotonicClock.now() >= deadline {
                stopLocked(.stalled(timeout: seconds, iteration: currentIteration, devices: deviceStatesLocked()))
                return
            }
            watchdogCondition.wait(until: deadline)
        }
    }

    /// What every device is doing (the lock held).
    private func deviceStatesLocked() -> [DeviceState] {
        let schedule = dependencies.schedule
        let generation = Int32(currentIteration + 1)
        return (0..<deviceCount).map { device in
            if finished[device] { return DeviceState(device: device, situation: .finished) }
            let id = head[device]
            guard id >= 0 else { return DeviceState(device: device, situation: .idle) }
            if running[device] { return DeviceState(device: device, situation: .running(action: schedule.actions[id])) }
            let waits = dependencies.predecessors(of: id).compactMap { predecessor -> DeviceState.Wait? in
                let p = Int(predecessor)
                let inFlight = linkDelay > 0 && Int(deviceOfAction[p]) != device && availableAt[p] > MonotonicClock.now()
                let pending = doneGeneration[p] < generation || inFlight
                return pending ? DeviceState.Wait(action: schedule.actions[p], device: Int(deviceOfAction[p])) : nil
            }
            return DeviceState(device: device, situation: .blocked(action: schedule.actions[id], waitsFor: waits))
        }
    }
}
