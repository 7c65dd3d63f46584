import Foundation
import Testing

/// Issue 9 through the real binary: diagnose and decrypt never disagree, masking reaches every
/// output kind, and every decrypt-file result is one line.
@Suite("wxdecrypt: diagnose agrees with decrypt, --mask everywhere, one line per record", .serialized)
struct DiagnoseAgreementTests {
    static let appID = CommandTests.appID
    static let env = CommandTests.env

    /// Encrypts `json` under the test key with the real binary and returns the record's fields.
    static func seal(_ json: String) throws -> [String: String] {
        let outcome = try WXDecryptRunner.run(
            ["encrypt", "--app-id", appID, "--json", "-", "--timestamp", "1637744274"], environment: env, stdin: json)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as! [String: String]
    }

    static let payloads = [
        #"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86"}"#,
        #"{"phoneNumber":"13580006666","countryCode":"86"}"#,
        #"{"nickName":"微信用户","gender":0,"language":"","city":"","province":"","country":"","avatarUrl":""}"#,
        #"{"stepInfoList":[]}"#,
        #"{"something":"else"}"#,
    ]

    @Test("for every payload, --as and clock, diagnose exits 0 exactly when decrypt does, with the same code")
    func agreement() throws {
        for json in Self.payloads {
            let record = try Self.seal(json)
            for kind in ["auto", "phone", "user", "werun", "raw"] {
                for clock in [[], ["--max-age", "300", "--now", "1637744300"], ["--max-age", "300", "--now", "1700000000"]] {
                    let arguments = ["--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!,
                                     "--as", kind] + clock
                    let decrypt = try WXDecryptRunner.run(["decrypt", "--compact"] + arguments, environment: Self.env)
                    let diagnose = try WXDecryptRunner.run(["diagnose"] + arguments, environment: Self.env)
                    #expect(decrypt.status == diagnose.status, "\(json) --as \(kind) \(clock): \(decrypt.stderr) vs \(diagnose.stdout)")
                    if decrypt.status != 0 {
                        let code = decrypt.stderr.prefix { $0 != "]" }
                        #expect(diagnose.stderr.hasPrefix(code + "]"), "\(decrypt.stderr) vs \(diagnose.stderr)")
                    }
                    CommandTests.assertNoSecrets(decrypt)
                    CommandTests.assertNoSecrets(diagnose)
                }
            }
        }
    }

    @Test("diagnose takes decrypt's verification flags, with the same checks")
    func diagnoseFlags() throws {
        let record = try Self.seal(Self.payloads[0])
        let base = ["diagnose", "--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!]
        for bad in [["--max-age=-5"], ["--now", "1637744300"]] {
            let outcome = try WXDecryptRunner.run(base + bad, environment: Self.env)
            #expect(outcome.status == 64, "\(bad): \(outcome.stderr)")
        }
        let wrongKind = try WXDecryptRunner.run(base + ["--as", "user"], environment: Self.env)
        #expect(wrongKind.status == 1 && wrongKind.stdout.contains("looks like a phone number"), "\(wrongKind.stdout)")
    }

    @Test("decrypt --as raw --mask masks the numbers of a raw payload")
    func rawMask() throws {
        let record = try Self.seal(Self.payloads[0])
        let outcome = try WXDecryptRunner.run(
            ["decrypt", "--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!, "--as", "raw",
             "--mask", "--compact"], environment: Self.env)
        #expect(outcome.status == 0)
        #expect(!outcome.stdout.contains("13580006666") && outcome.stdout.contains("135****6666"), "\(outcome.stdout)")
    }

    @Test("decrypt-file: a raw payload with line breaks and an id with CR still give one line each")
    func oneLinePerRecord() throws {
        let record = try Self.seal("{\n  \"note\": \"multi\",\n  \"list\": [1,\n 2]\n}")
        let key = CommandTests.key
        let line = "{\"id\":\r[1,\r2],\"appid\":\"\(Self.appID)\",\"session_key\":\"\(key)\",\"iv\":\"\(record["iv"]!)\","
            + "\"encrypted_data\":\"\(record["encrypted_data"]!)\"}\n"
        let outcome = try WXDecryptRunner.run(["decrypt-file", "-", "--no-progress"], stdin: line + line)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty, "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("\r"))
        #expect(lines[0].hasPrefix(#"{"id":[1,2],"ok":true,"data":{"note":"multi","list":[1,2],"watermark""#), "\(lines[0])")
    }

    @Test("extreme timestamps and clocks: decrypt-file, decrypt and verify-vectors finish with errors, never a trap")
    func extremeNumbers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wx-extreme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = ""
        for timestamp in ["-9223372036854775808", "9223372036854775807", "1637744274"] {
            let outcome = try WXDecryptRunner.run(
                ["encrypt", "--app-id", Self.appID, "--phone", "13580006666", "--timestamp=\(timestamp)"], environment: Self.env)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            lines += outcome.stdout
        }
        let input = directory.appendingPathComponent("in.jsonl")
        try Data(lines.utf8).write(to: input)
        let output = directory.appendingPathComponent("out.jsonl")
        let batch = try WXDecryptRunner.run(
            ["decrypt-file", input.path, "--max-age", "300", "--now", "1637744300", "--output", output.path, "--no-progress"])
        #expect(batch.status == 1, "\(batch.stderr)")
        let results = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(results.count == 3)
        #expect(results[0].contains("watermark_expired") && results[1].contains("watermark_expired"))
        #expect(results[2].contains(#""ok":true"#))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["in.jsonl", "out.jsonl"])

        let vectors = directory.appendingPathComponent("vectors.json")
        let record = try JSONSerialization.jsonObject(with: Data(lines.split(separator: "\n")[2].utf8)) as! [String: Any]
        let vector: [String: Any] = [
            "name": "far-future-clock", "kind": "phone", "appid": Self.appID, "session_key": CommandTests.key,
            "iv": record["iv"]!, "encrypted_data": record["encrypted_data"]!, "max_age": 300,
            "now": Int64.max, "expected_error": "watermark_expired",
        ]
        try JSONSerialization.data(withJSONObject: ["description": "extreme", "vectors": [vector]]).write(to: vectors)
        let verified = try WXDecryptRunner.run(["verify-vectors", vectors.path])
        #expect(verified.status == 0 && verified.stdout.hasSuffix("1 passed, 0 failed\n"), "\(verified.stdout)\(verified.stderr)")
    }
}

/// The last of the review's findings, through the real binary.
@Suite("wxdecrypt: closed stdout, byte-order mark, nohup conformance, CSV separators", .serialized)
struct ReviewFindingTests {
    static let sample = WXDecryptRunner.packageRoot.appendingPathComponent("Fixtures/sample-records.jsonl").path

    @Test("a closed stdout is output_failed (74) with a message that says so, in decrypt and decrypt-file")
    func closedStandardOutput() throws {
        let record = try DiagnoseAgreementTests.seal(DiagnoseAgreementTests.payloads[0])
        for arguments in [
            ["decrypt", "--app-id", CommandTests.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!],
            ["decrypt-file", Self.sample, "--app-id", CommandTests.appID],
        ] {
            let outcome = try ChildProcess(arguments, shellPrefix: "exec >&-", environment: CommandTests.env).finish()
            #expect(outcome.status == 74, "\(arguments[0]): \(outcome.stderr)")
            #expect(outcome.stderr.contains("standard output was closed when wxdecrypt started"), "\(outcome.stderr)")
        }
    }

    @Test("a UTF-8 byte-order mark before the first record is not part of it")
    func byteOrderMark() throws {
        let lines = try String(contentsOfFile: Self.sample, encoding: .utf8)
        let plain = try WXDecryptRunner.run(["decrypt-file", "-", "--app-id", CommandTests.appID], stdin: lines)
        let marked = try WXDecryptRunner.run(["decrypt-file", "-", "--app-id", CommandTests.appID], stdin: "\u{FEFF}" + lines)
        #expect(marked.stdout == plain.stdout && marked.status == plain.status)
    }

    @Test("conformance under nohup survives SIGHUP, as every subcommand does")
    func nohupConformance() throws {
        let child = try ChildProcess(
            ["conformance", "--", "/bin/sh", "-c", "sleep 2; " + WXDecryptRunner.binary.path + " decrypt-file -"],
            shellPrefix: "trap '' HUP")
        usleep(500_000)
        kill(child.pid, SIGHUP)
        let outcome = child.finish()
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test("CSV quotes cells with ';', which spreadsheets in many locales split on")
    func semicolons() throws {
        let record = try DiagnoseAgreementTests.seal(
            #"{"nickName":"a;=1+1","gender":0,"language":"","city":"","province":"","country":"","avatarUrl":""}"#)
        let line = #"{"id":"x","appid":"\#(CommandTests.appID)","session_key":"\#(CommandTests.key)","iv":"\#(record["iv"]!)","encrypted_data":"\#(record["encrypted_data"]!)"}"#
        let outcome = try WXDecryptRunner.run(["decrypt-file", "-", "--format", "csv"], stdin: line + "\n")
        #expect(outcome.stdout.contains(#","a;=1+1","#), "\(outcome.stdout)")
    }
}
