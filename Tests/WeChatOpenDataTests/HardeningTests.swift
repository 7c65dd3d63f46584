import Foundation
import Testing
@testable import WeChatOpenData

/// What an attacker's review of 0.1.0 found, each pinned by a test.
@Suite("Hardening: no traps, no oracles, no leaks")
struct HardeningTests {
    static func phone(timestamp: String) -> String {
        #"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","#
            + #""watermark":{"timestamp":\#(timestamp),"appid":"wx4f4bc4dec97d474b"}}"#
    }

    @Test(
        "extreme timestamps and clocks never trap: the payload is expired, nothing crashes",
        arguments: ["-9223372036854775808", "9223372036854775807", "0", "-1"])
    func extremeTimestamps(timestamp: String) throws {
        let sealed = Sealed(Self.phone(timestamp: timestamp))
        for now in [Date(), Date(timeIntervalSince1970: 9.3e18), Date(timeIntervalSince1970: -9.3e18),
                    Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: -.infinity),
                    Date(timeIntervalSince1970: .nan)]
        {
            let decryptor = try OpenDataDecryptor(
                appID: Sealed.appID, freshness: FreshnessPolicy(maximumAge: .seconds(300), now: { now }))
            #expect(throws: OpenDataError.self) { try sealed.decrypt(PhoneNumber.self, decryptor: decryptor) }
            let diagnosis = OpenDataDiagnosis.diagnose(
                decryptor: decryptor, sessionKey: sealed.sessionKey.base64EncodedString(), iv: sealed.data.iv,
                encryptedData: sealed.data.encryptedData)
            #expect(diagnosis.failure?.code == .watermarkExpired)
        }
        // Without a policy the payload is accepted and the diagnosis still computes an age safely.
        let plain = try OpenDataDecryptor(appID: Sealed.appID)
        #expect(try sealed.decrypt(PhoneNumber.self, decryptor: plain).watermark.timestamp == Int64(timestamp))
        #expect(
            OpenDataDiagnosis.diagnose(
                decryptor: plain, sessionKey: sealed.sessionKey.base64EncodedString(), iv: sealed.data.iv,
                encryptedData: sealed.data.encryptedData
            ).succeeded)
    }

    @Test("the JSON validator runs over the same bytes whether the padding is valid or not")
    func sameWorkWhateverThePadding() throws {
        // The genuine payload, then a block that decrypts to garbage, then the last block; its final
        // byte is 0x01 (valid one-byte padding) in one case and 0x00 (invalid) in the other.
        let body = Array(Sealed.phoneJSON.utf8) + [UInt8](repeating: 0x20, count: 16 - Sealed.phoneJSON.utf8.count % 16)
        var findings: [DecryptionObserver.Decryption] = []
        for last: UInt8 in [0x01, 0x00] {
            let sealed = Sealed(unpadded: body + [UInt8](repeating: 0xEE, count: 16) + [UInt8](repeating: 0x41, count: 15) + [last])
            let observer = DecryptionObserver()
            let decryptor = try OpenDataDecryptor(appID: Sealed.appID)
            #expect(throws: OpenDataError.decryptionFailed) {
                try decryptor.decryptPayload(
                    as: nil, encryptedData: sealed.data.encryptedData, iv: sealed.data.iv, sessionKey: sealed.sessionKey,
                    observer: observer)
            }
            findings.append(try #require(observer.decryption))
        }
        #expect(findings[0].paddingValid && !findings[1].paddingValid)
        // Both verdicts come from a full validation: the same problem found at the same place.
        #expect(findings[0].jsonProblem == .bytesAfterObject && findings[1].jsonProblem == .bytesAfterObject)
    }

    @Test("session keys decode and encode without tables: the arithmetic agrees with the alphabet for every byte")
    func constantTimeBase64() throws {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for value in 0..<64 { #expect(Base64Encoding.symbol(UInt32(value)) == alphabet[value]) }
        for _ in 0..<200 {
            let key = SessionKey.random()
            let text = key.base64EncodedString()
            #expect(text == Data(key.storage.withUnsafeBytes { Array($0) }).base64EncodedString())
            #expect(try SessionKey(base64: text) == key)
            let urlSafe = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            let repaired = try SessionKey(base64: urlSafe)
            #expect(repaired == key)
            #expect(repaired.repairs == (urlSafe == text ? [] : .urlSafeAlphabet))
        }
        for byte in 0...255 where !alphabet.contains(UInt8(byte)) && ![0x20, 0x09, 0x0A, 0x0D, 0x3D, 0x2D, 0x5F].contains(byte) {
            let text = String(decoding: [UInt8(ascii: "A"), UInt8(byte)] + Array("AAAAAAAAAAAAAAAAAAAAA==".utf8), as: UTF8.self)
            #expect(throws: OpenDataError.self) { try SessionKey(base64: text) }
        }
    }

    @Test("a key printed as hex or as decimal bytes gets an error that says so, without echoing it")
    func misreadKeys() throws {
        let key = SessionKey.random()
        let bytes = key.storage.withUnsafeBytes { Array($0) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let decimal = "[" + bytes.map { String(Int8(bitPattern: $0)) }.joined(separator: ", ") + "]"
        let spaced = bytes.map(String.init).joined(separator: " ")
        for (text, format) in [(hex, "hexadecimal"), (hex.uppercased(), "hexadecimal"), (decimal, "decimal"), (spaced, "decimal")] {
            let error = #expect(throws: OpenDataError.self) { try SessionKey(base64: text) }
            #expect(error?.code == .invalidSessionKey)
            #expect(error?.reason.contains(format) == true, "\(error?.reason ?? "")")
            #expect(error?.reason.contains("jscode2session") == true)
            #expect(error?.reason.contains(text) == false)
        }
        // An ordinary bad key gets no such hint.
        let error = #expect(throws: OpenDataError.self) { try SessionKey(base64: "abc") }
        #expect(error?.reason.contains("hexadecimal") == false && error?.reason.contains("decimal") == false)
    }

    @Test("asked for a phone number, given a profile: the error names the kind it looks like")
    func wrongKind() throws {
        let sealed = Sealed(RealPayloadTests.anonymousProfile)
        let error = #expect(throws: OpenDataError.self) { try sealed.decryptPayload(as: .phone) }
        #expect(error?.code == .invalidPayload)
        #expect(error?.reason.contains("looks like a user profile") == true, "\(error?.reason ?? "")")
    }

    @Test("an appid that is not appid-shaped (a key in the wrong column) is never echoed")
    func appIDNotEchoed() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let misplacedKey = SessionKey.random().base64EncodedString()
        let error = #expect(throws: OpenDataError.self) {
            try sealed.decrypt(PhoneNumber.self, decryptor: try OpenDataDecryptor(appID: misplacedKey))
        }
        #expect(error?.code == .appIDMismatch)
        #expect(error?.reason.contains(misplacedKey) == false)
        let other = #expect(throws: OpenDataError.self) {
            try sealed.decrypt(PhoneNumber.self, decryptor: try OpenDataDecryptor(appID: "wx0123456789abcdef"))
        }
        #expect(other?.reason.contains("wx0123456789abcdef") == true, "a real appid is named, to help")
    }

    @Test("--mask hides every phone-shaped value: digits only, trailing blanks kept, raw payloads too")
    func masking() throws {
        let trailing = PhoneNumber(
            phoneNumber: "13580006666 ", purePhoneNumber: " 13580006666", countryCode: "86",
            watermark: Watermark(appID: Sealed.appID, timestamp: 1))
        #expect(trailing.masked().phoneNumber == "135****6666 " && trailing.masked().purePhoneNumber == " 135****6666")
        #expect(PhoneNumber(phoneNumber: "+1 650-555-0100", purePhoneNumber: "6505550100", countryCode: "1",
                            watermark: trailing.watermark).masked().phoneNumber == "+1 65*-***-0100")
        let raw = #"{"mobile":13580006666,"contact":{"tel":"+86 135 8000 6666"},"note":"call 13580006666","#
            + #""list":["13580006666"],"#
            + Sealed.watermarkJSON + "}"
        let masked = try Sealed(raw).decryptPayload(as: .raw).masked().jsonString()
        #expect(masked.contains(#""tel":"+86 135 **** 6666""#), "\(masked)")
        #expect(masked.components(separatedBy: "13580006666").count == 2, "only the free text keeps it: \(masked)")
        #expect(masked.contains(#""mobile":"135****6666""#), "\(masked)")
        #expect(masked.contains(#""note":"call 13580006666""#), "free text is not phone-shaped: \(masked)")
        #expect(masked.contains(#""timestamp":1637744274"#), "other numbers stay")
    }

    @Test("one result line per record: raw payload whitespace and ids with CR never split a line")
    func oneLinePerRecord() throws {
        let raw = "{\n  \"a\" : [1,\r\n 2],\n  \"text\": \"x\\ny\",\n  " + Sealed.watermarkJSON + "\n}\n"
        let sealed = Sealed(raw)
        for id in ["\r7", "[1,\r2]", #"{"k":"\r"}"#.replacingOccurrences(of: "\r", with: "\\r")] {
            let (output, failure) = BatchTests.process(BatchTests.record(sealed, id: id))
            #expect(failure == nil)
            #expect(output.filter { $0 == "\n" || $0 == "\r" }.count == 1 && output.hasSuffix("\n"), "\(output)")
        }
        let (failed, _) = BatchTests.process("{\"id\":\r[3,\r4]}")
        #expect(failed.hasPrefix(#"{"id":[3,4],"ok":false"#) && !failed.dropLast().contains("\r"), "\(failed)")
    }

    @Test("a record that spells a field both ways is refused, naming both")
    func ambiguousRecords() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let key = sealed.sessionKey.base64EncodedString()
        for (extra, names) in [
            (#","sessionKey":"\#(key)""#, "session_key and sessionKey"),
            (#","encryptedData":"\#(sealed.data.encryptedData)""#, "encrypted_data and encryptedData"),
            (#","appid":"wx4f4bc4dec97d474b","appId":"wx4f4bc4dec97d474b""#, "appid and appId"),
        ] {
            let (output, failure) = BatchTests.process(BatchTests.record(sealed, extra: extra))
            #expect(failure == .invalidRecord)
            #expect(output.contains(names), "\(output)")
        }
    }

    @Test("a size limit near Int.max means no limit, never an overflow trap")
    func hugeSizeLimit() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        for limit in [Int.max, Int.max / 2, Int.max / 2 - 31, 1 << 62] {
            let decryptor = try OpenDataDecryptor(appID: Sealed.appID, maximumEncryptedDataSize: limit)
            #expect(try sealed.decrypt(PhoneNumber.self, decryptor: decryptor).phoneNumber == "13580006666")
        }
    }

    @Test("masking closes the review's bypasses: a plus without a country code, a phone-shaped nickname, tel and bare mobile numbers")
    func maskingBypasses() throws {
        let watermark = Watermark(appID: Sealed.appID, timestamp: 1)
        let noSpace = PhoneNumber(phoneNumber: "+8613580006666 ", purePhoneNumber: "13580006666", countryCode: "86",
                                  watermark: watermark).masked()
        #expect(!noSpace.phoneNumber.contains("8000") && noSpace.phoneNumber.hasSuffix("6666 "), "\(noSpace.phoneNumber)")
        let profile = #"{"nickName":"135 8000 6666","gender":0,"language":"","city":"","province":"","country":"","#
            + #""avatarUrl":"","# + Sealed.watermarkJSON + "}"
        let user = try Sealed(profile).decryptPayload(as: .user).masked().jsonString()
        #expect(user.contains(#""nickName":"135 **** 6666""#), "\(user)")
        let raw = #"{"tel":13580006666,"n":13580006666,"steps":12345,"# + Sealed.watermarkJSON + "}"
        let masked = try Sealed(raw).decryptPayload(as: .raw).masked().jsonString()
        #expect(masked.contains(#""tel":"135****6666""#) && masked.contains(#""n":"135****6666""#), "\(masked)")
        #expect(masked.contains(#""steps":12345"#) && masked.contains(#""timestamp":1637744274"#))
    }
}
