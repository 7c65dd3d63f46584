import Foundation

/// A thread that runs one closure and can be waited for (`pthread_join`): the pipeline's
/// stages must all have stopped before the command reports and exits.
final class PipelineThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread; nil when the system cannot start one.
    init?(_ body: sending @escaping () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        self.thread = thread
    }

    func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own, unwaited for.
    func detach() { pthread_detach(thread) }
}
