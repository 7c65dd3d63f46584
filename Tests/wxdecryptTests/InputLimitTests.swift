import Foundation
import Testing

/// Inputs read whole stop at a documented limit, decrypt-file cuts tiny lines into bounded
/// blocks, and rawData is hashed byte for byte (issue 9, attacks 8 and 9).
@Suite("wxdecrypt input limits", .serialized)
struct InputLimitTests {
    static let env = CommandTests.env
    static let payload = ["--app-id", CommandTests.appID, "--iv", CommandTests.iv]
    static let signature = ["verify-signature", "--signature", "209fbe7aa3d83ad61a1f56e4fe8d84dd1373991c"]

    @Test("an endless input (/dev/zero, as a path or as stdin) stops at 8 MiB with an error naming the option")
    func endlessInputs() throws {
        let cases: [([String], String)] = [
            (["decrypt"] + Self.payload + ["--data-file", "/dev/zero"], "--data-file '/dev/zero'"),
            (["decrypt"] + Self.payload + ["--data-file", "-"], "--data-file '-'"),
            (["diagnose"] + Self.payload + ["--data-file", "/dev/zero"], "--data-file '/dev/zero'"),
            (["decrypt"] + Self.payload + ["--data", "x", "--session-key-file", "/dev/zero"],
             "--session-key-file '/dev/zero'"),
            (["session-signature", "--session-key-file", "-"], "--session-key-file '-'"),
            (["encrypt", "--app-id", "wx1", "--json", "/dev/zero"], "--json '/dev/zero'"),
            (Self.signature + ["--raw-data-file", "/dev/zero"], "--raw-data-file '/dev/zero'"),
            (["verify-vectors", "/dev/zero"], "vector file '/dev/zero'"),
        ]
        for (arguments, named) in cases {
            let zero = try #require(FileHandle(forReadingAtPath: "/dev/zero"))
            let outcome = try ChildProcess(arguments, stdin: zero, environment: Self.env).finish(timeout: 30)
            #expect(outcome.status == 66, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr == "error[input_too_large]: \(named) holds more than 8 MiB, the limit for an input read whole\n")
        }
    }

    @Test("an input of exactly 8 MiB is read")
    func atTheLimit() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.file("rawData")
        try Data(repeating: 0x20, count: 8 << 20).write(to: URL(fileURLWithPath: path))
        let outcome = try WXDecryptRunner.run(Self.signature + ["--raw-data-file", path], environment: Self.env)
        #expect(outcome.status == 1 && outcome.stderr.hasPrefix("error[invalid_signature]: signature does not match"))
    }

    @Test("tiny garbage lines: chunks are written part by part, and every line keeps its number and order",
          arguments: ["1", "2", "7"])
    func tinyLines(jobs: String) throws {
        let count = 50_000
        let outcome = try WXDecryptRunner.run(
            ["decrypt-file", "-", "--app-id", "wx1", "--jobs", jobs], stdin: String(repeating: "1\n", count: count))
        #expect(outcome.status == 1)
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == count)
        let inOrder = lines.enumerated().allSatisfy { index, line in
            line.hasPrefix(#"{"id":\#(index + 1),"ok":false,"error":{"code":"invalid_record","message":"line \#(index + 1): "#)
        }
        #expect(inOrder)
    }

    @Test("verify-signature --raw-data-file hashes the file's exact bytes, invalid UTF-8 included")
    func rawDataBytes() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let rawData: [UInt8] = Array(#"{"nickName":"B"#.utf8) + [0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80] + Array(#"nd"}"#.utf8)
        let path = directory.file("rawData")
        try Data(rawData).write(to: URL(fileURLWithPath: path))
        // The independent oracle: sha1sum of the bytes followed by the key's base64 text.
        let signed = directory.file("signed")
        try Data(rawData + Array(CommandTests.key.utf8)).write(to: URL(fileURLWithPath: signed))
        let sha1sum = Process()
        sha1sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha1sum")
        sha1sum.arguments = [signed]
        let output = Pipe()
        sha1sum.standardOutput = output
        try sha1sum.run()
        let digest = String(decoding: output.fileHandleForReading.readDataToEndOfFile().prefix(40), as: UTF8.self)
        sha1sum.waitUntilExit()
        let valid = try WXDecryptRunner.run(
            ["verify-signature", "--signature", digest, "--raw-data-file", path], environment: Self.env)
        #expect(valid.status == 0 && valid.stdout == "valid\n", "\(valid.stderr)")
        let replaced = Data(String(decoding: rawData, as: UTF8.self).utf8)
        try replaced.write(to: URL(fileURLWithPath: path))
        let altered = try WXDecryptRunner.run(
            ["verify-signature", "--signature", digest, "--raw-data-file", path], environment: Self.env)
        #expect(altered.status == 1, "the U+FFFD-replaced text has another signature")
    }
}
