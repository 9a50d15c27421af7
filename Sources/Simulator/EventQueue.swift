/// The simulator's pending end events: a binary min-heap on one fixed buffer, holding at most one event
/// per device. Plainer than swift-collections' min-max heap, which pays for a max end the loop never
/// uses: two comparisons per level instead of four (8% fewer instructions simulating ZB-V, p = 8, m = 64).
struct EventQueue {
    private let storage: UnsafeMutablePointer<Engine.Event>
    private(set) var count = 0

    /// A queue for at most `capacity` events; call `free()` when done.
    init(capacity: Int) {
        storage = .allocate(capacity: max(capacity, 1))
    }

    func free() { storage.deallocate() }

    /// The earliest event, if any.
    var min: Engine.Event? { count > 0 ? storage[0] : nil }

    mutating func insert(_ event: Engine.Event) {
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard event < storage[parent] else { break }
            storage[child] = storage[parent]
            child = parent
        }
        (storage + child).initialize(to: event)
    }

    /// Removes and returns the earliest event.
    mutating func popMin() -> Engine.Event? {
        guard count > 0 else { return nil }
        let earliest = storage[0]
        count -= 1
        if count > 0 { siftDown(storage[count]) }
        return earliest
    }

    /// Returns the earliest event and puts `event` in its place (the queue must not be empty).
    mutating func replaceMin(with event: Engine.Event) -> Engine.Event {
        let earliest = storage[0]
        siftDown(event)
        return earliest
    }

    /// Places `event` from the root down to where it belongs among the first `count` slots.
    private mutating func siftDown(_ event: Engine.Event) {
        var parent = 0
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && storage[child + 1] < storage[child] { child += 1 }
            guard storage[child] < event else { break }
            storage[parent] = storage[child]
            parent = child
        }
        storage[parent] = event
    }
}
