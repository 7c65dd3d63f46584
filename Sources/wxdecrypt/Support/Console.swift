import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeChatOpenData

/// Exit codes from sysexits(3), as documented in `--help` and the README.
enum ExitStatus {
    static let failed: Int32 = 1
    static let usage: Int32 = 64
    static let noInput: Int32 = 66
    static let ioError: Int32 = 74
}

/// A failure the CLI reports as `error[<code>]: <reason>` and exits with.
struct CommandFailure: Error {
    let code: String
    let reason: String
    let status: Int32
}

enum Console {
    /// The most an input read whole may hold (a payload, a session key, a JSON object,
    /// rawData, a vector file): far more than any of them needs, and a bound on what an
    /// endless input (`/dev/zero`, `yes |`) makes the process hold.
    static let maximumInputSize = 8 << 20

    /// Writes a line to stderr. A failed write is ignored: there is nowhere left to report
    /// it, and a closed or full stderr must not stop the run.
    static func standardError(_ line: String) {
        writeStandardError(line + "\n")
    }

    static func writeStandardError(_ text: String) {
        _ = write(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Set at start when stdout was closed (it then leads to /dev/full), so that messages say why writes fail.
    nonisolated(unsafe) static var standardOutputWasClosed = false
    /// Set at start when stdin was closed (it then reads from /dev/null), so that reading it fails
    /// instead of finding an empty input.
    nonisolated(unsafe) static var standardInputWasClosed = false

    /// Why the last write failed, in words; `toStandardOutput` when it went to stdout, or to a
    /// copy of it (`--output /dev/stdout`).
    static func writeProblem(toStandardOutput: Bool) -> String {
        toStandardOutput && standardOutputWasClosed
            ? "standard output was closed when wxdecrypt started" : String(cString: strerror(errno))
    }

    /// Writes to stdout; a failed write (a full disk, a closed pipe, a closed stdout) is exit 74.
    static func standardOutput(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard write(bytes, to: STDOUT_FILENO) == bytes.count else {
            throw CommandFailure(
                code: "output_failed", reason: "cannot write to standard output: \(writeProblem(toStandardOutput: true))",
                status: ExitStatus.ioError)
        }
    }

    /// Writes all of `bytes`, retrying short and interrupted writes; returns how many were
    /// written, fewer (with `errno` set) when a write failed.
    static func write(_ bytes: [UInt8], to descriptor: Int32) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { SystemCall.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                // A parent may hand us a non-blocking pipe (Node.js does): wait until it drains.
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                if poll(&ready, 1, -1) >= 0 || errno == EINTR { continue }
            }
            guard written > 0 else { break }
            offset += written
        }
        return offset
    }

    static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Runs a command body, turning failures into the documented stderr line and exit code.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as CommandFailure {
            standardError("error[\(failure.code)]: \(failure.reason)")
            throw ExitCode(failure.status)
        } catch let error as OpenDataError {
            standardError("error[\(error.code.name)]: \(error.reason)")
            throw ExitCode(ExitStatus.failed)
        }
    }

    /// Reads the whole input that `option` names, `-` for stdin, up to
    /// ``maximumInputSize``; exit 66 when it cannot be opened or read or is larger.
    static func read(_ path: String, what option: String) throws -> Data {
        let named = "\(option) '\(path)'"
        let descriptor = try openInput(path, named: named)
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { SystemCall.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw inputFailure("cannot_open_input", "cannot read \(named)") }
            if count == 0 { return data }
            guard data.count + count <= maximumInputSize else {
                throw CommandFailure(
                    code: "input_too_large",
                    reason: "\(named) holds more than \(maximumInputSize >> 20) MiB, the limit for an input read whole",
                    status: ExitStatus.noInput)
            }
            data.append(contentsOf: chunk[..<count])
        }
    }

    /// Opens the input at `path` for reading, stdin for `-`.
    ///
    /// - Parameters:
    ///   - path: The path, or `-`.
    ///   - named: How errors name the input.
    /// - Returns: The open descriptor; the caller closes it unless it is stdin.
    /// - Throws: Exit 66 when it cannot be opened, or is stdin and stdin was closed at start.
    static func openInput(_ path: String, named: String) throws -> Int32 {
        if path == "-" {
            guard !standardInputWasClosed else {
                throw CommandFailure(
                    code: "cannot_open_input", reason: "cannot read \(named): standard input is closed",
                    status: ExitStatus.noInput)
            }
            return STDIN_FILENO
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw inputFailure("cannot_open_input", "cannot open \(named)") }
        return descriptor
    }

    /// Reads a text input; surrounding whitespace is left for the library to repair.
    static func readText(_ path: String, what option: String) throws -> String {
        String(decoding: try read(path, what: option), as: UTF8.self)
    }

    private static func inputFailure(_ code: String, _ what: String) -> CommandFailure {
        CommandFailure(code: code, reason: "\(what): \(String(cString: strerror(errno)))", status: ExitStatus.noInput)
    }
}
