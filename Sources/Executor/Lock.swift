#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex at a stable address, with condition variables that time out on the monotonic clock.
///
/// `@unchecked Sendable`: the mutex and conditions are the synchronisation primitives themselves; they
/// are only used through pthread calls, which are thread-safe.
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// A condition variable bound to this lock.
    final class Condition: @unchecked Sendable {
        private let condition: UnsafeMutablePointer<pthread_cond_t>
        private let lock: Lock

        init(_ lock: Lock) {
            self.lock = lock
            condition = .allocate(capacity: 1)
            var attributes = pthread_condattr_t()
            pthread_condattr_init(&attributes)
            #if canImport(Glibc)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
            #endif
            pthread_cond_init(condition, &attributes)
            pthread_condattr_destroy(&attributes)
        }

        deinit {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }

        /// Waits (the lock held) until signalled; may wake spuriously.
        @inline(__always) func wait() { pthread_cond_wait(condition, lock.mutex) }

        /// Waits (the lock held) until signalled or the monotonic clock reaches `deadline` (ns).
        func wait(until deadline: Int64) {
            #if canImport(Glibc)
            var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            pthread_cond_timedwait(condition, lock.mutex, &spec)
            #else
            let remaining = max(0, deadline - MonotonicClock.now())
            var spec = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            pthread_cond_timedwait_relative_np(condition, lock.mutex, &spec)
            #endif
        }

        @inline(__always) func signal() { pthread_cond_signal(condition) }
        @inline(__always) func broadcast() { pthread_cond_broadcast(condition) }
    }
}
