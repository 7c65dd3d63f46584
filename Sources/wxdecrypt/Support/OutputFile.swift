import Foundation

/// Where batch output goes (see ``OutputDestination``). A regular file is written to a
/// temporary file beside it, created `0600` (less the umask) because it holds plaintext,
/// and renamed into place only when complete, keeping the mode of the file it replaces;
/// so an interrupted run (any terminating signal, a full disk) never leaves a half-written
/// file or the temporary file behind.
final class OutputFile {
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private let target: String?
    private let temporary: String?
    /// How errors name the output.
    private let name: String
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private var linesOnDescriptor = 0
    private var isOpen = true
    private var renamed = false

    /// Lines that reached the output and stay there: for a regular file, none unless it
    /// was renamed into place. decrypt-file counts a result as one line (a CSV row may span
    /// several), so this counts results.
    var linesWritten: Int { temporary == nil || renamed ? linesOnDescriptor : 0 }

    init(path: String?) throws {
        let path = path ?? "-"
        name = path == "-" ? "standard output" : path
        switch try OutputDestination.resolve(path) {
        case .standardOutput:
            (descriptor, closesDescriptor, target, temporary) = (STDOUT_FILENO, false, nil, nil)
        case .descriptor(let copy):
            (descriptor, closesDescriptor, target, temporary) = (copy, true, nil, nil)
        case .special(let special, let device, let inode):
            descriptor = open(special, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { throw Self.failure("cannot open output '\(path)'") }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_dev == device, info.st_ino == inode else {
                close(descriptor)
                throw OutputDestination.failure("output '\(path)' was replaced while it was being opened")
            }
            (closesDescriptor, target, temporary) = (true, nil, nil)
        case .regularFile(let directory, let file):
            var created: (descriptor: Int32, path: String)?
            for _ in 0..<8 where created == nil {
                let candidate = OutputDestination.joined(directory, Self.temporaryName(for: file))
                let made = TerminationCleanup.create(candidate) {
                    open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                }
                if made >= 0 { created = (made, candidate) } else if errno != EEXIST { break }
            }
            guard let created else { throw Self.failure("cannot create output beside '\(path)'") }
            descriptor = created.descriptor
            closesDescriptor = true
            target = OutputDestination.joined(directory, file)
            temporary = created.path
        }
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
    /// half its 64 KiB of input) reach it, and copying them into the buffer cost more than the
    /// write call it saves.
    static let directWriteSize = 8 << 10

    /// Buffers `bytes`, writing in large blocks; a large chunk is written as it is. `lines` is
    /// how many lines (results) `bytes` holds, when the caller knows: then they need not be
    /// counted unless a write fails part-way.
    func write(_ bytes: [UInt8], lines: Int? = nil) throws {
        let lines = lines ?? Self.lines(in: bytes, upTo: bytes.count)
        if bytes.count >= Self.directWriteSize {
            try flush()
            try writeAll(bytes, lines: lines)
            return
        }
        pending += bytes
        pendingLines += lines
        if pending.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        try writeAll(pending, lines: pendingLines)
        pending.removeAll(keepingCapacity: true)
        pendingLines = 0
    }

    private func writeAll(_ bytes: [UInt8], lines: Int) throws {
        let written = Console.write(bytes, to: descriptor)
        guard written < bytes.count else {
            linesOnDescriptor += lines
            return
        }
        let failure = OutputDestination.failure("cannot write output '\(name)': \(Console.writeProblem(descriptor))")
        // After a partial write, the whole lines that did get out still count.
        linesOnDescriptor += Self.lines(in: bytes, upTo: written)
        discard()
        throw failure
    }

    private static func lines(in bytes: [UInt8], upTo end: Int) -> Int {
        bytes.withUnsafeBytes { Newlines.count(in: UnsafeRawBufferPointer(rebasing: $0[..<end])).count }
    }

    /// Flushes and, for a regular file, renames the temporary file into place.
    func finish() throws {
        try flush()
        guard let temporary, let target else {
            closeOnce()
            return
        }
        var existing = stat()
        // Only a file of our own keeps its mode, and only its permission bits: another user's mode
        // (0666, or setuid) must not be copied onto a file of phone numbers.
        if lstat(target, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG, existing.st_uid == geteuid() {
            _ = fchmod(descriptor, existing.st_mode & 0o777)
        }
        let synced = fsync(descriptor) == 0
        guard closeOnce(), synced else {
            let failure = Self.failure("cannot write output '\(name)'")
            discard()
            throw failure
        }
        guard rename(temporary, target) == 0 else {
            let failure = Self.failure("cannot move output into place at '\(name)'")
            discard()
            throw failure
        }
        TerminationCleanup.disarm()
        renamed = true
    }

    /// Closes the output after a failure, removing the temporary file.
    func discard() {
        closeOnce()
        guard let temporary, !renamed else { return }
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
