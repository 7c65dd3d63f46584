#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread that runs one closure and can be waited for (`pthread_join`): the pipeline's
/// stages must all have stopped before the command reports and exits.
final class PipelineThread {
    /// Why the system would not start a thread (`pthread_create`'s error number).
    struct Refusal: Error {
        let code: Int32

        var reason: String { String(cString: strerror(code)) }
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Each stage's stack. The deepest call chain a stage makes is a record's JSON, which the
    /// validator refuses past 16 levels; even a debug build decrypts ids nested that deep, and
    /// megabyte ids in CSV, in 96 KiB. The default, RLIMIT_STACK (8 MiB), is reserved as address
    /// space by every thread, and under `ulimit -v` that is what ran out.
    static let stackSize = 512 << 10

    private let thread: pthread_t

    /// Starts `body` on a new thread.
    ///
    /// - Throws: ``Refusal`` when the system cannot start one (`ulimit -u`, no memory).
    init(_ body: sending @escaping () -> Void) throws(Refusal) {
        var attributes = pthread_attr_t()
        var status = pthread_attr_init(&attributes)
        guard status == 0 else { throw Refusal(code: status) }
        defer { pthread_attr_destroy(&attributes) }
        status = pthread_attr_setstacksize(&attributes, Self.stackSize)
        guard status == 0 else { throw Refusal(code: status) }
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        status = pthread_create(&thread, &attributes, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Refusal(code: status)
        }
        self.thread = thread
    }

    func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own, unwaited for.
    func detach() { pthread_detach(thread) }
}
