import CBaseline
import Foundation
import Testing
import WeChatOpenData

/// The C baseline is only a fair yardstick if it does the whole job: these records are sealed by
/// the library's own encryptor and each check the baseline skips would let one of them through.
@Suite("C baseline")
final class CBaselineTests {
    static let appID = "wx4f4bc4dec97d474b"
    static let watermark = #""watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}"#
    let key = SessionKey.random()
    /// One decrypter per test, as a C program keeps one for all its records.
    let decrypter = cbaseline_decrypter_new()

    deinit { cbaseline_decrypter_free(decrypter) }

    /// The result of decrypting one record given as strings: the phone number, or the C error code.
    func decrypt(
        sessionKey: String? = nil, iv: String, encryptedData: String, appID: String = CBaselineTests.appID,
        capacity: Int = 32
    ) -> Result<String, CBaselineFailure> {
        guard let decrypter else { return .failure(CBaselineFailure(code: 0)) }
        let fields = [sessionKey ?? key.base64EncodedString(), iv, encryptedData, appID].map { Array($0.utf8) }
        var phone = [CChar](repeating: 0, count: capacity)
        let length = fields[0].withUnsafeBufferPointer { key in
            fields[1].withUnsafeBufferPointer { iv in
                fields[2].withUnsafeBufferPointer { data in
                    var record = cbaseline_record(
                        session_key: key.baseAddress, session_key_length: key.count, iv: iv.baseAddress,
                        iv_length: iv.count, encrypted_data: data.baseAddress, encrypted_data_length: data.count)
                    return cbaseline_decrypt_phone(decrypter, &record, fields[3], fields[3].count, &phone, capacity)
                }
            }
        }
        guard length >= 0 else { return .failure(CBaselineFailure(code: length)) }
        return .success(String(decoding: phone[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    func decrypt(
        _ sealed: EncryptedOpenData, appID: String = CBaselineTests.appID, capacity: Int = 32
    ) -> Result<String, CBaselineFailure> {
        decrypt(iv: sealed.iv, encryptedData: sealed.encryptedData, appID: appID, capacity: capacity)
    }

    func seal(_ json: String, key: SessionKey? = nil) -> EncryptedOpenData {
        OpenDataEncryptor.encrypt(plaintext: Array(json.utf8), sessionKey: key ?? self.key)
    }

    func phoneRecord(_ number: String) -> String {
        #"{"phoneNumber":"\#(number)","purePhoneNumber":"\#(number)","countryCode":"86",\#(Self.watermark)}"#
    }

    @Test func decryptsEachRecordToItsPhoneNumber() throws {
        let phone = PhoneNumber(
            phoneNumber: "13580006666", purePhoneNumber: "13580006666", countryCode: "86",
            watermark: Watermark(appID: Self.appID, timestamp: 1_637_744_274))
        let sealed = try OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key)
        #expect(decrypt(sealed) == .success("13580006666"))
        // One context serves many records: the padding must stay off and each key must take.
        for number in ["+8613580000001", "13580000002", ""] {
            let key = SessionKey.random()
            let sealed = seal(phoneRecord(number), key: key)
            #expect(decrypt(sessionKey: key.base64EncodedString(), iv: sealed.iv, encryptedData: sealed.encryptedData)
                == .success(number))
        }
    }

    @Test func findsMembersWhateverTheirOrderAndSpacing() {
        // A key's name as a value is passed over: no colon follows it.
        let json = #" { "note" : "phoneNumber", "tag": "watermark" , "watermark" : { "appid" : "wx4f4bc4dec97d474b" , "timestamp":1 } , "phoneNumber" :"135"}"#
        #expect(decrypt(seal(json + "\n")) == .success("135"))
    }

    @Test(arguments: [
        ("dGlpaHROY3pmNXY2QUtSeWp3RVVoUT09", CBASELINE_INVALID_SESSION_KEY),  // 24 bytes, not 16
        ("AAAAAAAAAAAAAAAAAAAA=A==", CBASELINE_INVALID_SESSION_KEY),          // '=' inside
        ("AAAAAAAAAAAAAAAAAAAAAA=", CBASELINE_INVALID_SESSION_KEY),           // length % 4
        ("AAAAAAAAAAAAAAAAAAAAA*==", CBASELINE_INVALID_SESSION_KEY),          // not the alphabet
    ])
    func rejectsABadSessionKey(sessionKey: String, code: Int) {
        let sealed = seal(phoneRecord("1"))
        #expect(decrypt(sessionKey: sessionKey, iv: sealed.iv, encryptedData: sealed.encryptedData) == .failure(.init(code: code)))
    }

    @Test func rejectsABadIV() {
        let sealed = seal(phoneRecord("1"))
        for iv in ["", "AAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAA==AAAA", "AAAAAAAAAAAAAAAAAAAAAA==".replacingOccurrences(of: "A", with: "-")] {
            #expect(decrypt(iv: iv, encryptedData: sealed.encryptedData) == .failure(.init(code: CBASELINE_INVALID_IV)))
        }
    }

    @Test func rejectsBadEncryptedData() {
        let sealed = seal(phoneRecord("1"))
        let data = sealed.encryptedData
        let blockAndOne = Data(repeating: 7, count: 17).base64EncodedString()
        let tooLong = Data(repeating: 7, count: Int(CBASELINE_MAX_CIPHERTEXT) + 16).base64EncodedString()
        for encrypted in ["", String(data.dropLast()), "=" + data.dropFirst(), data.prefix(4) + "A=AA" + data.dropFirst(8),
                          " " + data.dropFirst(), blockAndOne, tooLong] {
            #expect(decrypt(iv: sealed.iv, encryptedData: encrypted) == .failure(.init(code: CBASELINE_INVALID_ENCRYPTED_DATA)))
        }
    }

    /// Seals a phone record whose last block ends in `padding`, with no padding added after it.
    func seal(padding: [UInt8]) -> EncryptedOpenData {
        let lastBlock = [UInt8](repeating: UInt8(ascii: " "), count: 16 - padding.count) + padding
        let content = Array(#"{"phoneNumber":"1","watermark":{"appid":"wx4f4bc4dec97d474b"}}"#.utf8)
        let body = content + Array(repeating: UInt8(ascii: " "), count: (16 - content.count % 16) % 16)
        // The encryptor pads a whole-block plaintext with one more block; CBC lets that block be dropped.
        let sealed = OpenDataEncryptor.encrypt(plaintext: body + lastBlock, sessionKey: key)
        let ciphertext = Data(base64Encoded: sealed.encryptedData)!.dropLast(16)
        return EncryptedOpenData(encryptedData: ciphertext.base64EncodedString(), iv: sealed.iv)
    }

    @Test func checksEveryPaddingByte() {
        #expect(decrypt(seal(padding: [4, 4, 4, 4])) == .success("1"))
        #expect(decrypt(seal(padding: [UInt8](repeating: 16, count: 16))) == .success("1"))
        for padding: [UInt8] in [[4, 5, 4, 4], [0], [17], [UInt8](repeating: 16, count: 15) + [15], [4, 4, 4, 4, 3]] {
            #expect(decrypt(seal(padding: padding)) == .failure(.init(code: CBASELINE_DECRYPTION_FAILED)))
        }
    }

    @Test func verifiesTheWatermarkAppID() {
        let record = seal(phoneRecord("13580006666"))
        for appID in ["wx0000000000000000", "wx4f4bc4dec97d474", "wx4f4bc4dec97d474bb", ""] {
            #expect(decrypt(record, appID: appID) == .failure(.init(code: CBASELINE_APPID_MISMATCH)))
        }
    }

    @Test(arguments: [
        #"["phoneNumber","1"]"#,
        #"{"phoneNumber":"1"}"#,
        #"{"phoneNumber":"1","watermark":"wx4f4bc4dec97d474b"}"#,
        #"{"phoneNumber":"1","watermark":{"timestamp":1},"appid":"wx4f4bc4dec97d474b"}"#,
        #"{"phoneNumber":"1","watermark":{"appid":"wx4f4bc4dec97\u0064474b"}}"#,
    ])
    func rejectsAPayloadWithoutAWatermarkAppID(json: String) {
        #expect(decrypt(seal(json)) == .failure(.init(code: CBASELINE_INVALID_PAYLOAD)))
    }

    @Test func needsAPhoneNumberThatFits() {
        let noPhone = seal(#"{"purePhoneNumber":"1",\#(Self.watermark)}"#)
        #expect(decrypt(noPhone) == .failure(.init(code: CBASELINE_NO_PHONE_NUMBER)))
        #expect(decrypt(seal(phoneRecord("13580006666")), capacity: 10) == .failure(.init(code: CBASELINE_NO_PHONE_NUMBER)))
        #expect(decrypt(seal(phoneRecord("13580006666")), capacity: 11) == .success("13580006666"))
    }
}

/// A negative `CBASELINE_` code, as an error so that results compare with `==`.
struct CBaselineFailure: Error, Equatable {
    let code: Int
}
