import Foundation

/// The temporary file to remove if a signal ends the run, as a C string a signal handler can use.
nonisolated(unsafe) private var pendingTemporaryPath: UnsafeMutablePointer<CChar>?

/// Where batch output goes: stdout, a device or FIFO written directly, or a regular file
/// written to a temporary file beside it and renamed into place only when complete, so an
/// interrupted run (SIGINT, SIGTERM, a full disk) never leaves a half-written file or the
/// temporary file behind.
final class OutputFile {
    private let descriptor: Int32
    private let target: String?
    private let temporary: String?
    /// How errors name the output.
    private let name: String
    private var pending: [UInt8] = []

    init(path: String?) throws {
        signal(SIGPIPE, SIG_IGN)
        name = path.map { $0 == "-" ? "standard output" : $0 } ?? "standard output"
        guard let path, path != "-" else {
            descriptor = STDOUT_FILENO
            target = nil
            temporary = nil
            return
        }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            descriptor = open(path, O_WRONLY)
            guard descriptor >= 0 else { throw Self.failure("cannot open output '\(path)'") }
            target = nil
            temporary = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).wxdecrypt-\(getpid()).tmp").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw Self.failure("cannot create output beside '\(path)'") }
        target = path
        temporary = temporaryPath
        pendingTemporaryPath = strdup(temporaryPath)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                if let path = pendingTemporaryPath { unlink(path) }
                _exit(128 + received)
            }
            sigaddset(&unblock, signalNumber)
        }
        // A parent may have started us with these signals blocked; the clean-up must run.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    private static func failure(_ what: String) -> CommandFailure {
        CommandFailure(
            code: "output_failed", reason: "\(what): \(String(cString: strerror(errno)))", status: ExitStatus.ioError)
    }

    /// Buffers `bytes`, writing in large blocks; a large chunk is written as it is.
    func write(_ bytes: [UInt8]) throws {
        if bytes.count >= 1 << 20 {
            try flush()
            try writeAll(bytes)
            return
        }
        pending += bytes
        if pending.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        try writeAll(pending)
        pending.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let failure = Self.failure("cannot write output '\(name)'")
                discard()
                throw failure
            }
            offset += written
        }
    }

    /// Flushes and, for a regular file, renames the temporary file into place.
    func finish() throws {
        try flush()
        guard let target, let temporary else { return }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            let failure = Self.failure("cannot write output '\(target)'")
            discard()
            throw failure
        }
        guard rename(temporary, target) == 0 else {
            let failure = Self.failure("cannot move output into place at '\(target)'")
            unlink(temporary)
            Self.forgetTemporaryPath()
            throw failure
        }
        Self.forgetTemporaryPath()
    }

    /// Removes the temporary file after a failure.
    func discard() {
        guard let temporary else { return }
        close(descriptor)
        unlink(temporary)
        Self.forgetTemporaryPath()
    }

    /// Clears the signal handler's path before freeing it, so the handler never sees a freed pointer.
    private static func forgetTemporaryPath() {
        guard let path = pendingTemporaryPath else { return }
        pendingTemporaryPath = nil
        free(path)
    }
}
