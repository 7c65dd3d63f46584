import Foundation
import Testing

/// `--output PATH`: file modes, links, descriptors, long names and planted files, through
/// the real binary (issue 9, attacks 3, 4 and 5).
@Suite("wxdecrypt --output safety", .serialized)
struct OutputSafetyTests {
    static let sample = [
        "decrypt-file", WXDecryptRunner.packageRoot.appendingPathComponent("Fixtures/sample-records.jsonl").path,
        "--app-id", "wx4f4bc4dec97d474b",
    ]
    /// The sample's nine result lines, as decrypt-file prints them to stdout.
    static let expected: String = try! WXDecryptRunner.run(sample).stdout
    static let nobody: UInt32 = 65534

    static func decryptSample(to output: String, shellPrefix: String? = nil) throws -> (status: Int32, stderr: String) {
        let child = try ChildProcess(sample + ["--output", output], shellPrefix: shellPrefix)
        let outcome = child.finish()
        return (outcome.status, outcome.stderr)
    }

    static func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test("a new result file and its temporary file are 0600 less the umask")
    func newFileMode() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for (umask, mode) in [("022", 0o600), ("077", 0o600), ("277", 0o400)] as [(String, mode_t)] {
            let target = directory.file("out-\(umask).jsonl")
            let child = try ChildProcess(
                ["decrypt-file", "-", "--app-id", "wx1", "--output", target], shellPrefix: "umask \(umask)")
            child.send("{}\n")
            var temporaryMode: mode_t?
            #expect(ChildProcess.waitUntil {
                guard let open = openFile(of: child.pid, in: directory.path) else { return false }
                var info = stat()
                temporaryMode = stat(open, &info) == 0 ? info.st_mode & 0o7777 : nil
                return true
            })
            #expect(temporaryMode == mode, "temporary file under umask \(umask)")
            #expect(child.finish().status == 1)
            #expect(fileStatus(target).map { $0.st_mode & 0o7777 } == mode, "result file under umask \(umask)")
        }
    }

    @Test("replacing an existing file keeps its mode, never downgrading 0600 or widening 0640")
    func existingFileMode() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for mode: mode_t in [0o600, 0o640, 0o604] {
            let target = directory.file("out-\(String(mode, radix: 8))")
            FileManager.default.createFile(atPath: target, contents: Data("old\n".utf8))
            chmod(target, mode)
            #expect(try Self.decryptSample(to: target, shellPrefix: "umask 022").status == 1)
            #expect(fileStatus(target).map { $0.st_mode & 0o7777 } == mode)
            #expect(Self.contents(target) == Self.expected)
        }
    }

    @Test("a symbolic link is followed: the target is written, the link stays, also when dangling or relative")
    func symbolicLinks() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("real"), withIntermediateDirectories: true)
        let cases: [(link: String, destination: String, written: String)] = [
            ("to-file", directory.file("real/existing.jsonl"), directory.file("real/existing.jsonl")),
            ("dangling", directory.file("real/new.jsonl"), directory.file("real/new.jsonl")),
            ("relative", "real/relative.jsonl", directory.file("real/relative.jsonl")),
            ("chain", "to-file", directory.file("real/existing.jsonl")),
        ]
        FileManager.default.createFile(atPath: directory.file("real/existing.jsonl"), contents: Data())
        for (link, destination, written) in cases {
            #expect(symlink(destination, directory.file(link)) == 0)
            #expect(try Self.decryptSample(to: directory.file(link)).status == 1)
            #expect(fileStatus(directory.file(link)).map { $0.st_mode & S_IFMT } == S_IFLNK, "\(link) is still a link")
            #expect(Self.contents(written) == Self.expected, "\(link)")
        }
        #expect(!directory.entries.contains { $0.hasSuffix(".tmp") })
    }

    @Test("/dev/stdout, /dev/fd/1, /proc/self/fd/1 and a link to /dev/stdout: written through stdout, never replaced")
    func descriptorNames() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(symlink("/dev/stdout", directory.file("to-stdout")) == 0)
        for name in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", directory.file("to-stdout")] {
            // stdout is a regular file opened for appending: replacing it by rename would
            // lose the line already there.
            let capture = directory.file("stdout")
            FileManager.default.createFile(atPath: capture, contents: Data("before\n".utf8))
            let handle = try #require(FileHandle(forWritingAtPath: capture))
            handle.seekToEndOfFile()
            let child = try ChildProcess(Self.sample + ["--output", name], stdout: handle)
            #expect(child.finish().status == 1, "\(name)")
            try handle.close()
            #expect(Self.contents(capture) == "before\n" + Self.expected, "\(name)")
        }
        #expect(fileStatus("/dev/stdout").map { $0.st_mode & S_IFMT } == S_IFLNK)
        let stderr = try ChildProcess(Self.sample + ["--output", "/dev/stderr"]).finish()
        #expect(stderr.stderr.hasPrefix(Self.expected))
        let closed = try ChildProcess(Self.sample + ["--output", "/dev/fd/9"]).finish()
        #expect(closed.status == 74 && closed.stderr.contains("descriptor 9, which is not open"))
    }

    @Test("a non-dumpable process run by another user still writes /dev/stdout")
    func descriptorNamesAsAnotherUser() throws {
        let child = try ChildProcess(
            ["decrypt-file", "-", "--app-id", "wx1", "--output", "/dev/stdout"], user: Self.nobody)
        child.send("{}\n")
        let outcome = child.finish()
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stdout.contains(#""code":"invalid_record""#))
    }

    @Test("DIR-LINK/../x writes beside the link's real target, even on another file system")
    func dotDotThroughALink() throws {
        let here = try ScratchDirectory()
        defer { here.remove() }
        // /dev/shm is a tmpfs: a temporary file built from the textual path would land on
        // the other file system and the rename would fail with EXDEV.
        let elsewhere = "/dev/shm/wx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: elsewhere + "/inner", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        #expect(symlink(elsewhere + "/inner", here.file("link")) == 0)
        for (output, name) in [(here.file("link") + "/../absolute.jsonl", "absolute.jsonl"),
                               ("link/../relative.jsonl", "relative.jsonl")] {
            let outcome = try Self.decryptSample(to: output, shellPrefix: "cd '\(here.path)'")
            #expect(outcome.status == 1, "\(output): \(outcome.stderr)")
            #expect(Self.contents(elsewhere + "/" + name) == Self.expected, "\(output)")
        }
        #expect(here.entries == ["link"])
    }

    @Test("names near the 255-byte limit: the temporary name is shortened, not refused", arguments: [
        String(repeating: "n", count: 255), String(repeating: "é", count: 127) + "x", String(repeating: "a", count: 230),
    ])
    func longNames(name: String) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        // The temporary name exists only between the link and the rename: one too long to make
        // would fail the run there.
        let child = try ChildProcess(["decrypt-file", "-", "--app-id", "wx1", "--output", directory.file(name)])
        child.send("{}\n")
        let outcome = child.finish()
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(directory.entries == [name])
    }

    @Test("a FIFO, device, link or file planted by another user in a sticky world-writable directory is refused")
    func plantedInStickyDirectory() throws {
        try #require(geteuid() == 0, "planting files owned by another user needs root")
        let sticky = try ScratchDirectory("sticky", mode: 0o1777)
        defer { sticky.remove() }
        let fifo = sticky.file("fifo")
        #expect(mkfifo(fifo, 0o666) == 0 && chown(fifo, Self.nobody, Self.nobody) == 0)
        // The planter holds the read end open, so a writer's open would not block.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        let device = sticky.file("null")
        let null = try #require(fileStatus("/dev/null"))
        #expect(mknod(device, S_IFCHR | 0o666, null.st_rdev) == 0 && chown(device, Self.nobody, Self.nobody) == 0)
        let victim = try ScratchDirectory("victim")
        defer { victim.remove() }
        FileManager.default.createFile(atPath: victim.file("keep"), contents: Data("keep\n".utf8))
        let link = sticky.file("link")
        #expect(symlink(victim.file("keep"), link) == 0 && lchown(link, Self.nobody, Self.nobody) == 0)
        let file = sticky.file("file")
        FileManager.default.createFile(atPath: file, contents: Data())
        #expect(chmod(file, 0o666) == 0 && chown(file, Self.nobody, Self.nobody) == 0)
        for (path, what) in [(fifo, "a FIFO or device"), (device, "a FIFO or device"), (link, "a symbolic link"),
                             (file, "a file")] {
            let outcome = try Self.decryptSample(to: path)
            #expect(outcome.status == 74, "\(path)")
            #expect(outcome.stderr.contains("error[unsafe_output]: output '\(path)' is \(what) owned by another user"))
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(read(reader, &buffer, buffer.count) <= 0, "nothing reached the planted FIFO")
        #expect(Self.contents(victim.file("keep")) == "keep\n")
        #expect(Self.contents(file) == "")
        #expect(sticky.entries == ["fifo", "file", "link", "null"])
    }

    @Test("a FIFO of one's own in a sticky directory, or another user's in a private one, is written")
    func ownFIFO() throws {
        try #require(geteuid() == 0, "making a FIFO owned by another user needs root")
        let sticky = try ScratchDirectory("sticky", mode: 0o1777)
        let plain = try ScratchDirectory("plain", mode: 0o755)
        defer { sticky.remove(); plain.remove() }
        for (fifo, owner) in [(sticky.file("mine"), geteuid()), (plain.file("theirs"), Self.nobody)] {
            #expect(mkfifo(fifo, 0o600) == 0 && chown(fifo, owner, owner) == 0)
            let reader = open(fifo, O_RDONLY | O_NONBLOCK)
            defer { close(reader) }
            #expect(try Self.decryptSample(to: fifo).status == 1)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(reader, &buffer, buffer.count)
            #expect(count > 0 && String(decoding: buffer[..<max(count, 0)], as: UTF8.self) == Self.expected)
        }
    }

    @Test("a directory link another user planted in a sticky directory is refused, not followed to its FIFO")
    func plantedDirectoryLink() throws {
        try #require(geteuid() == 0, "planting links owned by another user needs root")
        let sticky = try ScratchDirectory("sticky", mode: 0o1777)
        let elsewhere = try ScratchDirectory("elsewhere", mode: 0o777)
        defer { sticky.remove(); elsewhere.remove() }
        let fifo = elsewhere.file("out.jsonl")
        #expect(mkfifo(fifo, 0o666) == 0 && chown(fifo, Self.nobody, Self.nobody) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        let link = sticky.file("reports")
        #expect(symlink(elsewhere.path, link) == 0 && lchown(link, Self.nobody, Self.nobody) == 0)
        let outcome = try Self.decryptSample(to: link + "/out.jsonl")
        #expect(outcome.status == 74)
        #expect(outcome.stderr.contains("error[unsafe_output]: ") && outcome.stderr.contains("a symbolic link on the way"))
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(read(reader, &buffer, buffer.count) <= 0, "nothing reached the planted FIFO")
    }

    @Test("replacing another user's file does not copy its mode (world-readable, setuid) onto the results")
    func foreignModeNotCopied() throws {
        try #require(geteuid() == 0, "a file owned by another user needs root")
        let shared = try ScratchDirectory("shared", mode: 0o777)
        defer { shared.remove() }
        let target = shared.file("r.jsonl")
        FileManager.default.createFile(atPath: target, contents: Data())
        #expect(chown(target, Self.nobody, Self.nobody) == 0 && chmod(target, 0o6777) == 0)
        #expect(try Self.decryptSample(to: target, shellPrefix: "umask 022").status == 1)
        let mode = try #require(fileStatus(target)).st_mode & 0o7777
        #expect(mode == 0o600, "got \(String(mode, radix: 8))")
        #expect(Self.contents(target) == Self.expected)
    }

    @Test("/proc/thread-self/fd/N and /proc/self/task/T/fd/N are descriptors too, never replaced")
    func threadDescriptorNames() throws {
        let directory = try ScratchDirectory("thread-fd")
        defer { directory.remove() }
        let log = directory.file("log.txt")
        FileManager.default.createFile(atPath: log, contents: Data("earlier\n".utf8))
        // The task number is not looked up: any thread of this process writes through the same descriptor.
        for name in ["/proc/thread-self/fd/1", "/proc/self/task/1/fd/1"] {
            let outcome = try ChildProcess(
                Self.sample + ["--output", name], shellPrefix: "exec >>'\(log)'; true").finish()
            #expect(outcome.status == 1, "\(name): \(outcome.stderr)")
        }
        #expect(Self.contents(log) == "earlier\n" + Self.expected + Self.expected)
    }
}
