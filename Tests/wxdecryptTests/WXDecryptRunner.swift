import Foundation

/// Runs the built `wxdecrypt` binary and captures stdout, stderr and the exit status.
struct WXDecryptRunner {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary sits next to the test bundle in the build products directory.
    static let binary: URL = {
        let products = Bundle.main.bundleURL
        let candidate = products.appendingPathComponent("wxdecrypt")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        return products.deletingLastPathComponent().appendingPathComponent("wxdecrypt")
    }()

    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: String? = nil,
        stdoutPath: String? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        var env = ProcessInfo.processInfo.environment
        env["WX_SESSION_KEY"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        if let stdoutPath {
            process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = stdoutPath == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}
