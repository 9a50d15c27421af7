/// A fixed-size, zero-initialised float32 buffer with a stable address, allocated once so the hot path
/// (the compute of each action) never allocates.
///
/// `@unchecked Sendable`: the executor hands buffers to device threads; which thread may touch which
/// region, and when, is fixed by the schedule's dependencies (see `ProgressBoard`), whose lock orders
/// every hand-over, so no region is ever written by one thread while another reads it.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: count) }
        }
    }

    deinit { pointer.deallocate() }

    /// A copy of the contents.
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Overwrites the contents with `values` (same count).
    func assign(_ values: [Float]) {
        precondition(values.count == count, "buffer size mismatch")
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: count) }
        }
    }

    func zero() { pointer.update(repeating: 0, count: count) }
}
