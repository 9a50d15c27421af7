/// What the device threads measure during one `run`, preallocated so recording never allocates:
/// per iteration, every action's start and end, every micro-batch's loss, and per device its peak
/// memory and the time it finished (after its step).
///
/// `@unchecked Sendable`: every slot is written by exactly one device thread (the one that runs the
/// action, holds the last stage of the micro-batch, or is the device) and read by the caller only
/// after all device threads exited (ordered by `ProgressBoard.waitForThreads()`'s lock).
final class Measurements: @unchecked Sendable {
    let iterations: Int
    let actionCount: Int
    let microbatchCount: Int
    let deviceCount: Int
    let start: UnsafeMutablePointer<Int64>
    let end: UnsafeMutablePointer<Int64>
    let losses: UnsafeMutablePointer<Double>
    let peakMemory: UnsafeMutablePointer<Int64>
    let deviceFinish: UnsafeMutablePointer<Int64>

    init(iterations: Int, actionCount: Int, microbatchCount: Int, deviceCount: Int) {
        self.iterations = iterations
        self.actionCount = actionCount
        self.microbatchCount = microbatchCount
        self.deviceCount = deviceCount
        func make<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, count))
            pointer.initialize(repeating: value, count: max(1, count))
            return pointer
        }
        start = make(iterations * actionCount, 0)
        end = make(iterations * actionCount, 0)
        losses = make(iterations * microbatchCount, 0)
        peakMemory = make(iterations * deviceCount, 0)
        deviceFinish = make(iterations * deviceCount, 0)
    }

    deinit {
        start.deallocate()
        end.deallocate()
        losses.deallocate()
        peakMemory.deallocate()
        deviceFinish.deallocate()
    }

    /// Slot of `index` (action, micro-batch or device) in iteration `k` (0-based within the run).
    @inline(__always)
    func slot(_ k: Int, _ index: Int, of count: Int) -> Int { k * count + index }
}
