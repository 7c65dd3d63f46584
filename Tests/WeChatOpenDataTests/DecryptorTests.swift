import Foundation
import Testing
import WeChatOpenData

@Suite("OpenDataDecryptor")
struct DecryptorTests {
    @Test("the appid is required and validated")
    func appID() {
        for bad in ["", "wx 123", "wx\"1", String(repeating: "w", count: 65)] {
            let error = #expect(throws: OpenDataError.self) { try OpenDataDecryptor(appID: bad) }
            #expect(error?.code == .invalidArgument && error?.field == "appid")
        }
        #expect(throws: OpenDataError.self) { try OpenDataDecryptor(appID: "wx1", maximumEncryptedDataSize: 0) }
    }

    @Test("the freshness clock is read at verification time, not when the decryptor is made")
    func clockReadAtVerification() throws {
        final class Clock: @unchecked Sendable {
            let lock = NSLock()
            var seconds: TimeInterval = TimeInterval(Sealed.timestamp)
            var now: Date { lock.withLock { Date(timeIntervalSince1970: seconds) } }
            func advance(_ by: TimeInterval) { lock.withLock { seconds += by } }
        }
        let clock = Clock()
        let decryptor = try OpenDataDecryptor(
            appID: Sealed.appID, freshness: FreshnessPolicy(maximumAge: .seconds(300), now: { clock.now }))
        let sealed = Sealed(Sealed.phoneJSON)
        #expect(try sealed.decrypt(PhoneNumber.self, decryptor: decryptor).watermark.timestamp == Sealed.timestamp)
        clock.advance(300)
        _ = try sealed.decrypt(PhoneNumber.self, decryptor: decryptor)
        clock.advance(1)
        let error = #expect(throws: OpenDataError.self) { try sealed.decrypt(PhoneNumber.self, decryptor: decryptor) }
        #expect(error?.code == .watermarkExpired)
        #expect(error?.reason.contains("301 s old") == true)
        clock.advance(-301 - 61)
        let future = #expect(throws: OpenDataError.self) { try sealed.decrypt(PhoneNumber.self, decryptor: decryptor) }
        #expect(future?.code == .watermarkExpired && future?.reason.contains("in the future") == true)
    }

    @Test("the appid check comes before field checks, and names the expected appid only")
    func appIDMismatch() throws {
        let sealed = Sealed(#"{"watermark":{"timestamp":1,"appid":"wxOTHERAPP0000000"}}"#)
        let decryptor = try OpenDataDecryptor(appID: Sealed.appID)
        let error = #expect(throws: OpenDataError.self) { try sealed.decrypt(PhoneNumber.self, decryptor: decryptor) }
        #expect(error?.code == .appIDMismatch)
        #expect(error?.reason.contains(Sealed.appID) == true)
        #expect(error?.reason.contains("wxOTHERAPP") == false, "plaintext never appears in errors")
    }

    struct CustomPayload: Decodable, Sendable {
        struct Inner: Decodable, Sendable { let level: Int }
        let name: String
        let inner: Inner
    }

    @Test("any Decodable type goes through the same verification")
    func customDecodable() throws {
        let good = Sealed(#"{"name":"x","inner":{"level":3},"# + Sealed.watermarkJSON + "}")
        #expect(try good.decrypt(CustomPayload.self).inner.level == 3)
        let missing = Sealed(#"{"name":"x","inner":{},"# + Sealed.watermarkJSON + "}")
        let error = #expect(throws: OpenDataError.self) { try missing.decrypt(CustomPayload.self) }
        #expect(error?.code == .invalidPayload && error?.field == "inner.level")
        let noWatermark = Sealed(#"{"name":"x","inner":{"level":3}}"#)
        let unverified = #expect(throws: OpenDataError.self) { try noWatermark.decrypt(CustomPayload.self) }
        #expect(unverified?.code == .invalidPayload && unverified?.field == "watermark")
    }

    @Test("oversized encryptedData is refused before decoding, and after by decoded size")
    func sizeLimit() throws {
        let decryptor = try OpenDataDecryptor(appID: Sealed.appID, maximumEncryptedDataSize: 160)
        let sealed = Sealed(Sealed.phoneJSON)  // 146 bytes: 160 with padding
        _ = try sealed.decrypt(PhoneNumber.self, decryptor: decryptor)
        let bigger = Sealed(Sealed.phoneJSON + String(repeating: " ", count: 16))
        let error = #expect(throws: OpenDataError.self) { try bigger.decrypt(PhoneNumber.self, decryptor: decryptor) }
        #expect(error?.code == .payloadTooLarge && error?.reason.contains("176 bytes") == true)
        let huge = String(repeating: "A", count: 10_000_000)
        let early = #expect(throws: OpenDataError.self) {
            try decryptor.decrypt(PhoneNumber.self, encryptedData: huge, iv: sealed.data.iv, sessionKey: sealed.sessionKey)
        }
        #expect(early?.code == .payloadTooLarge)
    }

    @Test("one decryptor serves many tasks at once")
    func concurrency() async throws {
        let decryptor = try OpenDataDecryptor(appID: Sealed.appID)
        let records = (0..<64).map { _ in Sealed(Sealed.phoneJSON) }
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<1_000 {
                let record = records[index % records.count]
                group.addTask {
                    try decryptor.decrypt(
                        PhoneNumber.self, encryptedData: record.data.encryptedData, iv: record.data.iv,
                        sessionKey: record.sessionKey
                    ).purePhoneNumber
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(results.count == 1_000 && Set(results) == ["13580006666"])
    }

    @Test("kinds are recognised from the payload's keys")
    func recognition() throws {
        let cases: [(String, OpenDataPayload.Kind)] = [
            (Sealed.phoneJSON, .phone),
            (#"{"openGId":"g","# + Sealed.watermarkJSON + "}", .share),
            (#"{"opengid":"g","# + Sealed.watermarkJSON + "}", .group),
            (#"{"stepInfoList":[],"# + Sealed.watermarkJSON + "}", .werun),
            (#"{"something":1,"# + Sealed.watermarkJSON + "}", .raw),
            // The first identifying key decides, wherever it stands, escaped or not.
            (#"{"a":1,"openGId":"g","phoneNumber":"1","# + Sealed.watermarkJSON + "}", .share),
            (#"{"a":1,"phone\u004eumber":"1","purePhoneNumber":"1","countryCode":"86","# + Sealed.watermarkJSON + "}", .phone),
            // More members than the validator's index holds: read by scanning, the same answer.
            ("{" + (0..<20).map { #""k\#($0)":\#($0),"# }.joined() + #""openGId":"g","phoneNumber":"1","#
                + Sealed.watermarkJSON + "}", .share),
            ("{" + (0..<20).map { #""k\#($0)":\#($0),"# }.joined() + Sealed.watermarkJSON + "}", .raw),
        ]
        for (json, kind) in cases {
            let payload = try Sealed(json).decryptPayload()
            #expect(payload.kind == kind)
            #expect(payload.watermark == Watermark(appID: Sealed.appID, timestamp: Sealed.timestamp))
        }
    }
}
