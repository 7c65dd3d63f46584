import ArgumentParser
import Foundation
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
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes to stdout; a failed write (a full disk, a closed pipe) is exit 74.
    static func standardOutput(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            throw CommandFailure(code: "output_failed", reason: "cannot write to standard output", status: ExitStatus.ioError)
        }
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

    /// Reads a whole input named by a path argument, `-` for stdin; exit 66 when it cannot be opened.
    static func read(_ path: String, what: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure(code: "cannot_open_input", reason: "cannot open \(what) '\(path)'", status: ExitStatus.noInput)
        }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            throw CommandFailure(code: "cannot_open_input", reason: "cannot read \(what) '\(path)'", status: ExitStatus.noInput)
        }
    }

    /// Reads a text input; surrounding whitespace is left for the library to repair.
    static func readText(_ path: String, what: String) throws -> String {
        String(decoding: try read(path, what: what), as: UTF8.self)
    }
}
