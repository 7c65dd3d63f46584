import Foundation
import Testing

/// The real binary: stdout, stderr and exit status together, for every subcommand.
@Suite("wxdecrypt", .serialized)
struct CommandTests {
    static let appID = "wx4f4bc4dec97d474b"
    static let key = "tiihtNczf5v6AKRyjwEUhQ=="
    static let iv = "r7BXXKkLb8qrSNn05n0qiA=="
    static let data: String = {
        let url = WXDecryptRunner.packageRoot.appendingPathComponent("Fixtures/vectors.json")
        let file = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let vectors = file["vectors"] as! [[String: Any]]
        return vectors.first { $0["name"] as? String == "wechat-official-demo-userinfo" }!["encrypted_data"] as! String
    }()
    static let env = ["WX_SESSION_KEY": key]

    /// Every outcome a test produced, checked for the session key at the end of each test.
    static func assertNoSecrets(_ outcome: WXDecryptRunner.Outcome, key: String = key) {
        let keyHex = Data(base64Encoded: key)!.map { String(format: "%02x", $0) }.joined()
        for text in [outcome.stdout, outcome.stderr] {
            #expect(!text.contains(key) && !text.contains(keyHex) && !text.contains(String(key.dropLast(2))))
        }
    }

    @Test("decrypt prints the verified payload")
    func decrypt() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data, "--compact"], environment: Self.env)
        #expect(outcome.status == 0)
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout.hasSuffix("}\n") && outcome.stdout.split(separator: "\n").count == 1)
        let json = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        #expect(json?["openId"] as? String == "oGZUI0egBJY1zhBYw2KhdUfwVJJE")
        #expect(json?["nickName"] as? String == "Band")
        Self.assertNoSecrets(outcome)
    }

    @Test("decrypt reads the key from --session-key-file and the data from stdin")
    func decryptFromFiles() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("wxkey-\(UUID().uuidString)")
        try Data((Self.key + "\n").utf8).write(to: keyFile)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let outcome = try WXDecryptRunner.run(
            ["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data-file", "-", "--session-key-file", keyFile.path,
             "--as", "user"], stdin: Self.data)
        #expect(outcome.status == 0 && outcome.stdout.contains("oGZUI0egBJY1zhBYw2KhdUfwVJJE"))
    }

    @Test("decrypt failures: error[code] on stderr, nothing on stdout, documented exit codes")
    func decryptFailures() throws {
        let cases: [([String], [String: String], Int32, String)] = [
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data],
             ["WX_SESSION_KEY": "AAAAAAAAAAAAAAAAAAAAAA=="], 1, "error[decryption_failed]: "),
            (["decrypt", "--app-id", "wx0000000000000000", "--iv", Self.iv, "--data", Self.data], Self.env, 1,
             "error[appid_mismatch]: "),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data, "--max-age", "60",
              "--now", "1477314500"], Self.env, 1, "error[watermark_expired]: "),
            (["decrypt", "--app-id", Self.appID, "--iv", "abc", "--data", Self.data], Self.env, 1, "error[invalid_iv]: "),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data], [:], 64, "error[missing_session_key]: "),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv], Self.env, 64, "Pass exactly one of --data or --data-file"),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data, "--as", "nope"], Self.env, 64, "invalid for '--as <as>'"),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data, "--now", "1"], Self.env, 64,
             "--now only applies together with --max-age"),
            (["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data-file", "/nonexistent/data"], Self.env, 66,
             "error[cannot_open_input]: "),
        ]
        for (arguments, environment, status, fragment) in cases {
            let outcome = try WXDecryptRunner.run(arguments, environment: environment)
            #expect(outcome.status == status, "\(arguments)")
            #expect(outcome.stdout.isEmpty, "\(arguments)")
            #expect(outcome.stderr.contains(fragment), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("oGZUI0egBJY1zhBYw2KhdUfwVJJE"))
            Self.assertNoSecrets(outcome)
        }
    }

    @Test("an unwritable stdout (/dev/full) is exit 74")
    func fullDisk() throws {
        let outcome = try WXDecryptRunner.run(
            ["decrypt", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data], environment: Self.env,
            stdoutPath: "/dev/full")
        #expect(outcome.status == 74)
        #expect(outcome.stderr.contains("error[output_failed]"))
    }

    @Test("encrypt makes a record that decrypt accepts, with --mask masking the number")
    func encryptRoundTrip() throws {
        let made = try WXDecryptRunner.run(
            ["encrypt", "--app-id", "wx1234567890abcdef", "--phone", "13580006666", "--timestamp", "1637744274"],
            environment: Self.env)
        #expect(made.status == 0 && made.stderr.isEmpty)
        let record = try #require(JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: String])
        #expect(record["appid"] == "wx1234567890abcdef" && record["session_key"] == Self.key)
        let opened = try WXDecryptRunner.run(
            ["decrypt", "--app-id", "wx1234567890abcdef", "--iv", record["iv"]!, "--data", record["encrypted_data"]!,
             "--mask", "--compact"], environment: Self.env)
        #expect(opened.status == 0)
        #expect(opened.stdout.contains(#""phoneNumber":"135****6666""#) && !opened.stdout.contains("13580006666"))
        let random = try WXDecryptRunner.run(["encrypt", "--app-id", "wx1", "--json", "-", "--random-key"], stdin: #"{"a":1}"#)
        #expect(random.status == 0 && random.stdout.contains("session_key"))
        let usage = try WXDecryptRunner.run(["encrypt", "--app-id", "wx1", "--random-key"])
        #expect(usage.status == 64)
    }

    @Test("verify-vectors ends with 'N passed, M failed' and fails on a bad vector")
    func verifyVectors() throws {
        let good = try WXDecryptRunner.run(["verify-vectors"])
        #expect(good.status == 0)
        #expect(good.stdout.hasSuffix("46 passed, 0 failed\n"))
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UUID().uuidString).json")
        let vector: [String: Any] = ["name": "wrong-expectation", "kind": "user", "appid": Self.appID,
                                     "session_key": Self.key, "iv": Self.iv, "encrypted_data": Self.data,
                                     "expected_error": "decryption_failed"]
        try JSONSerialization.data(withJSONObject: ["vectors": [vector]]).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        let bad = try WXDecryptRunner.run(["verify-vectors", broken.path, "--verbose"])
        #expect(bad.status == 1)
        #expect(bad.stdout == "FAIL wrong-expectation: expected decryption_failed, but it decrypted\n0 passed, 1 failed\n")
        Self.assertNoSecrets(bad)
        #expect(try WXDecryptRunner.run(["verify-vectors", "/nonexistent.json"]).status == 66)
        #expect(try WXDecryptRunner.run(["verify-vectors", "Package.swift"]).status == 1)
    }

    @Test("verify-signature: exit 0 valid, 1 invalid; session-signature prints the HMAC")
    func signatures() throws {
        let rawData = #"{"nickName":"Band","gender":1}"#
        let valid = try WXDecryptRunner.run(
            ["verify-signature", "--signature", "209fbe7aa3d83ad61a1f56e4fe8d84dd1373991c", "--raw-data", rawData],
            environment: Self.env)
        #expect(valid.status == 0 && valid.stdout == "valid\n")
        let invalid = try WXDecryptRunner.run(
            ["verify-signature", "--signature", "209fbe7aa3d83ad61a1f56e4fe8d84dd1373991d", "--raw-data-file", "-"],
            environment: Self.env, stdin: rawData)
        #expect(invalid.status == 1 && invalid.stderr.hasPrefix("error[invalid_signature]: "))
        let session = try WXDecryptRunner.run(["session-signature"], environment: Self.env)
        #expect(session.status == 0)
        #expect(session.stdout == "7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735\n")
        for outcome in [valid, invalid, session] { Self.assertNoSecrets(outcome) }
    }

    @Test("diagnose walks the steps and names the cause")
    func diagnose() throws {
        let ok = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data], environment: Self.env)
        #expect(ok.status == 0 && ok.stdout.hasSuffix("The payload decrypts and verifies.\n"))
        let spaces = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data.replacingOccurrences(of: "+", with: " ")],
            environment: Self.env)
        #expect(spaces.status == 0 && spaces.stdout.contains("'+' became spaces"))
        let stale = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data],
            environment: ["WX_SESSION_KEY": "AAAAAAAAAAAAAAAAAAAAAA=="])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("FAIL decryption:") && stale.stdout.contains("wx.login"))
        #expect(stale.stderr == "error[decryption_failed]: decryption failed (see above)\n")
        let old = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", Self.iv, "--data", Self.data, "--max-age", "300",
             "--now", "1477400000"], environment: Self.env)
        #expect(old.status == 1 && old.stdout.contains("FAIL watermark.timestamp"))
        for outcome in [ok, spaces, stale, old] { Self.assertNoSecrets(outcome) }
    }
}

@Suite("wxdecrypt error paths", .serialized)
struct ErrorPathTests {
    @Test("every subcommand's error paths: documented exit code, error[code] line, no session key anywhere")
    func errorPaths() throws {
        let key = CommandTests.key
        let env = CommandTests.env
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("wx-key-\(UUID().uuidString)").path
        try Data(key.utf8).write(to: URL(fileURLWithPath: keyFile))
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        // Arguments, environment, stdin, exit status, and the start of stderr's first line: the exact
        // error code for runtime failures, the parser's message for usage errors.
        let cases: [([String], [String: String], String?, Int32, String)] = [
            (["encrypt", "--app-id", "wx1", "--phone", "1", "--iv", "short"], env, nil, 1, "error[invalid_iv]: "),
            (["encrypt", "--app-id", "wx 1", "--phone", "1"], env, nil, 64, "Error: --app-id: appid must be"),
            (["encrypt", "--app-id", "wx1", "--json", "-"], env, "[1,2]", 1, "error[invalid_payload]: "),
            (["encrypt", "--app-id", "wx1", "--json", "/nonexistent.json"], env, nil, 66, "error[cannot_open_input]: "),
            (["encrypt", "--app-id", "wx1"], env, nil, 64, "Error: Pass exactly one of --json or --phone."),
            (["encrypt", "--app-id", "wx1", "--phone", "1"], ["WX_SESSION_KEY": "AAAA"], nil, 1, "error[invalid_session_key]: "),
            (["generate", "--records=-1"], [:], nil, 64, "Error: --records must not be negative."),
            (["generate", "--records", "1", "--bad-fraction", "2"], [:], nil, 64, "Error: --bad-fraction must be between 0 and 1."),
            (["generate", "--records", "1", "--output", "/nonexistent-dir/x"], [:], nil, 74, "error[output_failed]: "),
            (["verify-signature", "--signature", "00", "--raw-data", "x"], env, nil, 1, "error[invalid_signature]: "),
            (["verify-signature", "--signature", "00", "--raw-data", "x"], [:], nil, 64, "error[missing_session_key]: "),
            (["verify-signature", "--signature", "00"], env, nil, 64, "Error: Pass exactly one of --raw-data or --raw-data-file."),
            (["verify-signature", "--signature", "00", "--raw-data-file", "/nonexistent"], env, nil, 66, "error[cannot_open_input]: "),
            (["session-signature", "--session-key-file", "/nonexistent"], [:], nil, 66, "error[cannot_open_input]: "),
            (["session-signature", "--session-key-file", "-"], [:], "not base64!", 1, "error[invalid_session_key]: "),
            (["session-signature"], ["WX_SESSION_KEY": key + "AAAA"], nil, 1, "error[invalid_session_key]: "),
            (["diagnose", "--app-id", "wx1", "--iv", "x", "--data", "y"], env, nil, 1, "error[invalid_iv]: "),
            (["diagnose", "--app-id", "wx1", "--iv", "x", "--data", "y", "--session-key-file", keyFile], [:], nil, 1,
             "error[invalid_iv]: "),
            (["diagnose", "--app-id", "wx1", "--iv", "x"], env, nil, 64, "Error: Pass exactly one of --data or --data-file."),
            (["decrypt-file", "-", "--app-id", "wx1"], env, #"{"session_key":"\#(key)","iv":"x","encrypted_data":"y"}"#, 1,
             "wxdecrypt: 1 records, 0 ok, 1 failed (invalid_iv: 1)"),
            (["verify-vectors", "/nonexistent"], [:], nil, 66, "error[cannot_open_input]: "),
            (["no-such-command"], [:], nil, 64, "Error: Unexpected argument 'no-such-command'"),
        ]
        // A phone record that decrypts but fails verification: its number must not leak either.
        let record = try WXDecryptRunner.run(
            ["encrypt", "--app-id", "wx1111111111111111", "--phone", "13912345678", "--timestamp", "1"], environment: env)
        let fields = try #require(JSONSerialization.jsonObject(with: Data(record.stdout.utf8)) as? [String: String])
        let phoneCases: [([String], String)] = [
            (["decrypt", "--app-id", "wx2222222222222222", "--iv", fields["iv"]!, "--data", fields["encrypted_data"]!],
             "error[appid_mismatch]: "),
            (["decrypt", "--app-id", "wx1111111111111111", "--iv", fields["iv"]!, "--data", fields["encrypted_data"]!,
              "--max-age", "60"], "error[watermark_expired]: "),
            (["diagnose", "--app-id", "wx2222222222222222", "--iv", fields["iv"]!, "--data", fields["encrypted_data"]!],
             "error[appid_mismatch]: "),
        ]
        for (arguments, start) in phoneCases {
            let outcome = try WXDecryptRunner.run(arguments, environment: env)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.hasPrefix(start), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stdout.contains("13912345678") && !outcome.stderr.contains("13912345678"))
            #expect(!outcome.stdout.contains("5678\"") && !outcome.stderr.contains("139123"))
            CommandTests.assertNoSecrets(outcome)
        }
        for (arguments, environment, stdin, status, start) in cases {
            let outcome = try WXDecryptRunner.run(arguments, environment: environment, stdin: stdin)
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix(start), "\(arguments): \(outcome.stderr)")
            CommandTests.assertNoSecrets(outcome)
        }
    }
}
