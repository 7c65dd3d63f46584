import Foundation
import Testing

/// Issue 12 through the real binary: the previous session key, from the environment or a file,
/// in decrypt, diagnose and decrypt-file.
@Suite("wxdecrypt with a previous session key", .serialized)
struct KeyRingCommandTests {
    static let appID = CommandTests.appID
    /// The key the data was encrypted with: the login before the last one.
    static let old = "tiihtNczf5v6AKRyjwEUhQ=="
    /// The key the last login issued.
    static let new = "AAECAwQFBgcICQoLDA0ODw=="

    static func sealed() throws -> [String: String] {
        let outcome = try WXDecryptRunner.run(
            ["encrypt", "--app-id", appID, "--phone", "13580006666", "--timestamp", "1637744274"],
            environment: ["WX_SESSION_KEY": old])
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as! [String: String]
    }

    @Test("decrypt: the previous key from the environment or a file decrypts, with a note; neither key fails uniformly")
    func decrypt() throws {
        let record = try Self.sealed()
        let arguments = ["decrypt", "--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!, "--compact"]
        let fromEnvironment = try WXDecryptRunner.run(
            arguments, environment: ["WX_SESSION_KEY": Self.new, "WX_PREVIOUS_SESSION_KEY": Self.old])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stdout.contains(#""phoneNumber":"13580006666""#))
        #expect(fromEnvironment.stderr.hasPrefix("note: decrypted with the previous session key; "))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wx-previous-\(UUID().uuidString)")
        try Data(Self.old.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try WXDecryptRunner.run(
            arguments + ["--previous-session-key-file", file.path], environment: ["WX_SESSION_KEY": Self.new])
        #expect(fromFile.status == 0 && fromFile.stderr.hasPrefix("note: decrypted with the previous session key"))

        let current = try WXDecryptRunner.run(
            arguments, environment: ["WX_SESSION_KEY": Self.old, "WX_PREVIOUS_SESSION_KEY": Self.new])
        #expect(current.status == 0 && current.stderr.isEmpty, "the current key matches: no note")

        let neither = try WXDecryptRunner.run(
            arguments, environment: ["WX_SESSION_KEY": Self.new, "WX_PREVIOUS_SESSION_KEY": "BBECAwQFBgcICQoLDA0ODw=="])
        #expect(neither.status == 1 && neither.stderr.hasPrefix("error[decryption_failed]: "))
        #expect(neither.stdout.isEmpty)
        for outcome in [fromEnvironment, fromFile, current, neither] {
            CommandTests.assertNoSecrets(outcome, key: Self.old)
            CommandTests.assertNoSecrets(outcome, key: Self.new)
        }
    }

    @Test("a malformed previous key matters only when the current key fails, in decrypt as in diagnose")
    func malformedPreviousKey() throws {
        let record = try Self.sealed()
        let arguments = ["--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!]
        for (current, status) in [(Self.old, Int32(0)), (Self.new, Int32(1))] {
            let environment = ["WX_SESSION_KEY": current, "WX_PREVIOUS_SESSION_KEY": "garbage!!"]
            let decrypt = try WXDecryptRunner.run(["decrypt", "--compact"] + arguments, environment: environment)
            let diagnose = try WXDecryptRunner.run(["diagnose"] + arguments, environment: environment)
            #expect(decrypt.status == status && diagnose.status == status, "\(decrypt.stderr) \(diagnose.stdout)")
            if status == 1 {
                #expect(decrypt.stderr.hasPrefix("error[invalid_session_key]: the previous session key: "), "\(decrypt.stderr)")
                #expect(diagnose.stderr.hasPrefix("error[invalid_session_key]: "), "\(diagnose.stderr)")
            }
        }
    }

    @Test("diagnose explains the stale-key trap and its fix when only the previous key decrypts")
    func diagnose() throws {
        let record = try Self.sealed()
        let outcome = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!],
            environment: ["WX_SESSION_KEY": Self.new, "WX_PREVIOUS_SESSION_KEY": Self.old])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("wx.login after the button tap"))
        #expect(outcome.stdout.contains("wx.checkSession before wx.login"))
        #expect(outcome.stdout.hasSuffix("The payload decrypts and verifies with the previous session key (see above).\n"))
        let without = try WXDecryptRunner.run(
            ["diagnose", "--app-id", Self.appID, "--iv", record["iv"]!, "--data", record["encrypted_data"]!],
            environment: ["WX_SESSION_KEY": Self.new])
        #expect(without.status == 1, "without the previous key, diagnose fails as decrypt does")
        CommandTests.assertNoSecrets(outcome, key: Self.old)
        CommandTests.assertNoSecrets(outcome, key: Self.new)
    }

    @Test("decrypt-file: records with previous_session_key say which key matched, and the summary counts them")
    func decryptFile() throws {
        let record = try Self.sealed()
        func line(_ id: Int, key: String, previous: String?, spelling: String = "previous_session_key") -> String {
            let previousMember = previous.map { #","\#(spelling)":"\#($0)""# } ?? ""
            return #"{"id":\#(id),"appid":"\#(Self.appID)","session_key":"\#(key)"\#(previousMember),"#
                + #""iv":"\#(record["iv"]!)","encrypted_data":"\#(record["encrypted_data"]!)"}"#
        }
        let input = [
            line(1, key: Self.new, previous: Self.old), line(2, key: Self.old, previous: Self.new),
            line(3, key: Self.new, previous: nil), line(4, key: Self.new, previous: Self.old, spelling: "previousSessionKey"),
        ].joined(separator: "\n") + "\n"
        let outcome = try WXDecryptRunner.run(["decrypt-file", "-", "--no-progress"], stdin: input)
        #expect(outcome.status == 1)
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix(#"{"id":1,"ok":true,"session_key":"previous","data":"#))
        #expect(lines[1].hasPrefix(#"{"id":2,"ok":true,"data":"#))
        #expect(lines[2].hasPrefix(#"{"id":3,"ok":false,"error":{"code":"decryption_failed""#))
        #expect(lines[3].hasPrefix(#"{"id":4,"ok":true,"session_key":"previous","data":"#))
        #expect(outcome.stderr.hasPrefix("wxdecrypt: 4 records, 3 ok (2 with the previous session key), 1 failed"), "\(outcome.stderr)")
        CommandTests.assertNoSecrets(outcome, key: Self.old)
        CommandTests.assertNoSecrets(outcome, key: Self.new)
    }
}
