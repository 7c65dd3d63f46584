import CWeChatOpenDataProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where batch output goes (see ``OutputDestination``). A regular file is written to a
/// temporary file in its directory, created `0600` (less the umask) because it holds plaintext,
/// and renamed into place only when complete, keeping the mode of the file it replaces; so an
/// interrupted run (any terminating signal, a full disk) never leaves a half-written file or
/// the temporary file behind.
///
/// On Linux the temporary file has no name while it is written (`O_TMPFILE`): even SIGKILL,
/// which no handler sees, leaves nothing behind. It is linked to a temporary name only once
/// complete, just before the rename. Where the file system refuses unnamed files, it is named
/// from the start and a signal handler removes it.
final class OutputFile {
    /// How the results reach the target.
    private enum Staging {
        /// Written in place: stdout, a descriptor, a FIFO or a device.
        case inPlace
        /// A named temporary file, renamed onto `target`.
        case named(temporary: String, target: String)
        /// An unnamed file in `directory`, named only when complete, then renamed onto `file`
        /// in that directory.
        case unnamed(directory: String, file: String)
    }

    private let descriptor: Int32
    private let closesDescriptor: Bool
    private let staging: Staging
    /// Whether the output is stdout or a copy of it: a write that fails there may fail because
    /// stdout was closed when the process started.
    private let isStandardOutput: Bool
    /// How errors name the output.
    private let name: String
    /// Whether a quoted line break may sit inside a result (CSV).
    private let resultsSpanLines: Bool
    private var pending: [UInt8] = []
    private var pendingResults = 0
    private var resultsOnDescriptor = 0
    /// Bytes written in full to a staged file: where its next write starts.
    private var bytesOnDescriptor = 0
    private var isOpen = true
    private var renamed = false

    /// Results that reached the output and stay there: for a regular file, none unless it was
    /// renamed into place. The CSV header counts as one.
    var resultsWritten: Int {
        if case .inPlace = staging { return resultsOnDescriptor }
        return renamed ? resultsOnDescriptor : 0
    }

    /// - Parameters:
    ///   - path: The `--output` path; stdout when nil or `-`.
    ///   - format: What the output holds, for counting the results that got out when a write fails.
    init(path: String?, format: BatchOutputFormat = .jsonl) throws {
        let path = path ?? "-"
        name = path == "-" ? "standard output" : path
        resultsSpanLines = format == .csv
        switch try OutputDestination.resolve(path) {
        case .standardOutput:
            (descriptor, closesDescriptor, staging, isStandardOutput) = (STDOUT_FILENO, false, .inPlace, true)
        case .descriptor(let copy, let original):
            (descriptor, closesDescriptor, staging, isStandardOutput) = (copy, true, .inPlace, original == STDOUT_FILENO)
        case .special(let special, let device, let inode):
            descriptor = open(special, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw Self.failure("cannot open output '\(path)'") }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_dev == device, info.st_ino == inode else {
                close(descriptor)
                throw OutputDestination.failure("output '\(path)' was replaced while it was being opened")
            }
            (closesDescriptor, staging, isStandardOutput) = (true, .inPlace, false)
        case .regularFile(let directory, let file):
            (closesDescriptor, isStandardOutput) = (true, false)
            if let unnamed = Self.openUnnamed(in: directory) {
                descriptor = unnamed
                staging = .unnamed(directory: directory, file: file)
            } else {
                let named = Self.nameTemporary(in: directory, for: file) {
                    open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                }
                guard let named else { throw Self.failure("cannot create output beside '\(path)'") }
                descriptor = named.descriptor
                staging = .named(temporary: named.path, target: OutputDestination.joined(directory, file))
            }
        }
    }

    /// An unnamed file in `directory` that can be named later through /proc/self/fd, or nil
    /// (an old kernel, a file system without `O_TMPFILE`, no /proc).
    private static func openUnnamed(in directory: String) -> Int32? {
        let descriptor = CWeChatOpenDataProcess_openUnnamedFile(directory, 0o600)
        guard descriptor >= 0 else { return nil }
        guard access(procPath(descriptor), F_OK) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func procPath(_ descriptor: Int32) -> String { "/proc/self/fd/\(descriptor)" }

    /// Makes a temporary name in `directory` with `create` (which returns the descriptor of what
    /// it made there, or -1), armed for removal by any terminating signal; a name taken already
    /// is tried again with another.
    private static func nameTemporary(
        in directory: String, for file: String, _ create: (String) -> Int32
    ) -> (descriptor: Int32, path: String)? {
        for _ in 0..<8 {
            let candidate = OutputDestination.joined(directory, temporaryName(for: file))
            let made = TerminationCleanup.create(candidate) { create(candidate) }
            if made >= 0 { return (made, candidate) }
            guard errno == EEXIST else { return nil }
        }
        return nil
    }

    /// `.NAME.wxdecrypt-PID-RANDOM.tmp`, with NAME shortened (at a character boundary) so
    /// that the whole stays within the 255-byte limit on one path component.
    static func temporaryName(for file: String) -> String {
        let suffix = ".wxdecrypt-\(getpid())-\(String(UInt32.random(in: .min ... .max), radix: 16)).tmp"
        let room = 255 - 1 - suffix.utf8.count
        var stem = Substring(file)
        while stem.utf8.count > room { stem.removeLast() }
        return "." + stem + suffix
    }

    private static func failure(_ what: String) -> CommandFailure {
        OutputDestination.failure("\(what): \(String(cString: strerror(errno)))")
    }

    /// The size from which output is written as it is, not buffered: a chunk's results (about
    /// half its input) reach it, and copying them into the buffer cost more than the write call
    /// it saves.
    static let directWriteSize = 8 << 10

    /// Buffers `bytes`, writing in large blocks; a large chunk is written as it is. `results` is
    /// how many results `bytes` holds, when the caller knows: then they need not be counted
    /// unless a write fails part-way. `bytes` starts at the start of a result.
    func write(_ bytes: [UInt8], results: Int? = nil) throws {
        let results = results ?? countResults(in: bytes, upTo: bytes.count)
        if bytes.count >= Self.directWriteSize {
            try flush()
            try writeAll(bytes, results: results)
            return
        }
        pending += bytes
        pendingResults += results
        if pending.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        try writeAll(pending, results: pendingResults)
        pending.removeAll(keepingCapacity: true)
        pendingResults = 0
    }

    private func writeAll(_ bytes: [UInt8], results: Int) throws {
        let written = Console.write(bytes, to: descriptor)
        guard written < bytes.count else {
            resultsOnDescriptor += results
            startWriteback(bytes.count)
            return
        }
        let problem = Console.writeProblem(toStandardOutput: isStandardOutput)
        let failure = OutputDestination.failure("cannot write output '\(name)': \(problem)")
        // After a partial write, the whole results that did get out still count.
        resultsOnDescriptor += countResults(in: bytes, upTo: written)
        discard()
        throw failure
    }

    /// Sends the `count` bytes just written to the device now, without waiting: the fsync before
    /// the rename then waits only for the last of them, not for the whole file (tens of
    /// milliseconds for 35 MB, at the very end of a run). Only a staged file is fsynced; where
    /// the call is refused, the fsync does it all.
    private func startWriteback(_ count: Int) {
        if case .inPlace = staging { return }
        guard count > 0 else { return }
        _ = CWeChatOpenDataProcess_startWriteback(descriptor, Int64(bytesOnDescriptor), Int64(count))
        bytesOnDescriptor += count
    }

    /// The results that end in `bytes[..<end]`: one per line end, except, in CSV, a line break
    /// inside a quoted cell. A quote inside a cell is doubled, so counting quotes tells whether
    /// a byte is inside one; JSON Lines escapes every line break in a string.
    private func countResults(in bytes: [UInt8], upTo end: Int) -> Int {
        guard resultsSpanLines else {
            return bytes.withUnsafeBytes { Newlines.count(in: UnsafeRawBufferPointer(rebasing: $0[..<end])).count }
        }
        var results = 0
        var quoted = false
        for byte in bytes[..<end] {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == 0x0A && !quoted {
                results += 1
            }
        }
        return results
    }

    /// Flushes and, for a regular file, moves it into place.
    func finish() throws {
        try flush()
        let temporary: String, target: String
        switch staging {
        case .inPlace:
            closeOnce()
            return
        case .named(let named, let finalTarget):
            (temporary, target) = (named, finalTarget)
            try prepareForRename(target)
        case .unnamed(let directory, let file):
            target = OutputDestination.joined(directory, file)
            try prepareForRename(target)
            let descriptor = descriptor
            let named = Self.nameTemporary(in: directory, for: file) {
                linkat(AT_FDCWD, Self.procPath(descriptor), AT_FDCWD, $0, AT_SYMLINK_FOLLOW) == 0 ? descriptor : -1
            }
            guard let named else {
                let failure = Self.failure("cannot name output beside '\(name)'")
                discard()
                throw failure
            }
            temporary = named.path
        }
        guard closeOnce() else {
            let failure = Self.failure("cannot write output '\(name)'")
            discard(temporary)
            throw failure
        }
        guard rename(temporary, target) == 0 else {
            let failure = Self.failure("cannot move output into place at '\(name)'")
            discard(temporary)
            throw failure
        }
        TerminationCleanup.disarm()
        renamed = true
    }

    /// Gives the complete file the mode of the file it replaces, and makes its data durable
    /// before it takes that file's place.
    private func prepareForRename(_ target: String) throws {
        var existing = stat()
        // Only a file of our own keeps its mode, and only its permission bits: another user's mode
        // (0666, or setuid) must not be copied onto a file of phone numbers.
        if lstat(target, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG, existing.st_uid == geteuid() {
            _ = fchmod(descriptor, existing.st_mode & 0o777)
        }
        guard fsync(descriptor) == 0 else {
            let failure = Self.failure("cannot write output '\(name)'")
            discard()
            throw failure
        }
    }

    /// Closes the output after a failure, removing the temporary file (an unnamed one goes with
    /// its descriptor).
    func discard() {
        if case .named(let temporary, _) = staging {
            discard(temporary)
        } else {
            closeOnce()
        }
    }

    private func discard(_ temporary: String) {
        closeOnce()
        guard !renamed else { return }
        unlink(temporary)
        TerminationCleanup.disarm()
    }

    /// Closes the descriptor if it is ours and still open; false when closing failed.
    @discardableResult
    private func closeOnce() -> Bool {
        guard isOpen, closesDescriptor else { return true }
        isOpen = false
        return close(descriptor) == 0
    }
}
