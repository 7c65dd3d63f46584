import Foundation
import Testing
import WeChatOpenData

@Suite("README")
struct ReadmeTests {
    @Test("the quick start compiles and decrypts a phone record")
    func quickStart() throws {
        // README quick start: begin
        // Once, at start-up. The appid is required: payloads for other apps are refused.
        let decryptor = try OpenDataDecryptor(
            appID: "wx4f4bc4dec97d474b",
            freshness: FreshnessPolicy(maximumAge: .seconds(300))
        )

        // Per request: the session_key you stored from jscode2session, and what the mini program posted.
        func phoneNumber(storedSessionKey: String, encryptedData: String, iv: String) throws(OpenDataError) -> PhoneNumber {
            let sessionKey = try SessionKey(base64: storedSessionKey)
            return try decryptor.decrypt(PhoneNumber.self, encryptedData: encryptedData, iv: iv, sessionKey: sessionKey)
        }
        // README quick start: end

        let key = SessionKey.random()
        let now = Int64(Date.now.timeIntervalSince1970)
        let sealed = try OpenDataEncryptor.encrypt(
            .phoneNumber(PhoneNumber(phoneNumber: "13580006666", purePhoneNumber: "13580006666", countryCode: "86",
                                     watermark: Watermark(appID: "wx4f4bc4dec97d474b", timestamp: now))),
            sessionKey: key)
        let phone = try phoneNumber(
            storedSessionKey: key.base64EncodedString(), encryptedData: sealed.encryptedData, iv: sealed.iv)
        #expect(phone.purePhoneNumber == "13580006666")
    }

    @Test("the README shows exactly the code the test above compiles")
    func quickStartIsVerbatim() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        // The fenced block that starts with `import WeChatOpenData`, without that line.
        let start = try #require(readme.range(of: "```swift\nimport WeChatOpenData\n\n"))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        let shown = String(readme[start.upperBound..<end.lowerBound])

        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let begin = try #require(source.range(of: "// README quick start: begin\n"))
        let finish = try #require(source.range(of: "        // README quick start: end", range: begin.upperBound..<source.endIndex))
        let compiled = source[begin.upperBound..<finish.lowerBound]
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }
            .joined(separator: "\n")
        #expect(shown + "\n" == compiled)
    }
}
