#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One mutex and a condition for each event the pipeline's stages wait for, so that a signal
/// wakes only the stage that waits for it.
final class PipelineLock: @unchecked Sendable {
    enum Event: Int, CaseIterable {
        /// The writer gave a chunk back: the reader may fill it.
        case chunkFree
        /// The reader queued a chunk, or the input ended: a worker may take it.
        case workQueued
        /// A chunk got its first line number: the next one in input order may get its own.
        case linesNumbered
        /// A worker finished a chunk, or the input ended: the writer may go on.
        case resultsReady
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let conditions = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: Event.allCases.count)

    init() {
        pthread_mutex_init(mutex, nil)
        for event in Event.allCases { pthread_cond_init(conditions + event.rawValue, nil) }
    }

    deinit {
        for event in Event.allCases { pthread_cond_destroy(conditions + event.rawValue) }
        pthread_mutex_destroy(mutex)
        conditions.deallocate()
        mutex.deallocate()
    }

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for `event`, with the lock held (it is released while waiting).
    func wait(for event: Event) { pthread_cond_wait(conditions + event.rawValue, mutex) }

    /// Wakes one thread waiting for `event`.
    func signal(_ event: Event) { pthread_cond_signal(conditions + event.rawValue) }

    /// Wakes every thread waiting for `event`.
    func broadcast(_ event: Event) { pthread_cond_broadcast(conditions + event.rawValue) }
}
