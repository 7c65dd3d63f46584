import Foundation
import Testing

/// A `wxdecrypt` child that a test can watch while it runs: signal it, read its /proc
/// entries, hand it a held-open input, a closed pipe or a file as stdout, or start it
/// through `/bin/sh` to set a umask, a ulimit or an ignored signal first.
///
/// The child starts with no signal blocked, as from a shell: the test runner's threads
/// block most signals, a child inherits that mask, and a blocked signal would never
/// reach it.
final class ChildProcess {
    let process = Process()
    /// The write end of the child's stdin; the run goes on until it is closed.
    let input = Pipe()
    private let errors = Pipe()

    /// - Parameters:
    ///   - shellPrefix: Shell commands run before `exec wxdecrypt …`, or nil to start it directly.
    ///   - stdin: Where stdin comes from; ``input`` when nil.
    ///   - stdout: Where stdout goes; a pipe read after the exit when nil.
    ///   - user: Run as this uid and gid (through setpriv), or as the test's own user.
    init(
        _ arguments: [String], shellPrefix: String? = nil, stdin: FileHandle? = nil, stdout: FileHandle? = nil,
        user: UInt32? = nil,
        environment: [String: String] = [:]
    ) throws {
        var command = [WXDecryptRunner.binary.path] + arguments
        if let shellPrefix { command = ["/bin/sh", "-c", shellPrefix + "; exec \"$0\" \"$@\""] + command }
        if let user { command = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups"] + command }
        command = ["/usr/bin/perl", "-MPOSIX", "-e", "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) && exec @ARGV", "--"]
            + command
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = WXDecryptRunner.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["WX_SESSION_KEY"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        process.standardInput = stdin ?? input
        capturesStdout = stdout == nil
        process.standardOutput = stdout ?? outputPipe
        process.standardError = errors
        try process.run()
    }

    private let outputPipe = Pipe()
    private let capturesStdout: Bool

    var pid: Int32 { process.processIdentifier }

    /// Writes to the child's stdin.
    func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

    /// Closes stdin, waits (killing the child after `timeout` seconds, which the test
    /// reports), and returns the exit reason, status, stdout (when captured) and stderr.
    func finish(timeout: Double = 60) -> (reason: Process.TerminationReason, status: Int32, stdout: String, stderr: String) {
        try? input.fileHandleForWriting.close()
        let pid = pid
        let watchdog = DispatchWorkItem {
            Issue.record("the child was still running after \(timeout) s and was killed")
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let stdoutData = capturesStdout ? outputPipe.fileHandleForReading.readDataToEndOfFile() : Data()
        let stderrData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationReason, process.terminationStatus,
                String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }

    /// Waits until `condition` holds, for at most five seconds.
    static func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<250 {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init(_ name: String = "dir", mode: mode_t = 0o755) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("wx-\(UUID().uuidString)-\(name)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, mode)
    }

    func file(_ name: String) -> String { path + "/" + name }

    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `lstat` of `path`, or nil.
func fileStatus(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
}

/// The /proc path of a file that process `pid` has open in `directory`, or nil. The output a
/// run writes has no name there until it is complete (O_TMPFILE): the kernel shows it as
/// `DIRECTORY/#INODE (deleted)`, and `stat` through this path gives its mode.
func openFile(of pid: Int32, in directory: String) -> String? {
    let descriptors = "/proc/\(pid)/fd"
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? [] {
        let link = descriptors + "/" + entry
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link), target.hasPrefix(directory + "/") {
            return link
        }
    }
    return nil
}
