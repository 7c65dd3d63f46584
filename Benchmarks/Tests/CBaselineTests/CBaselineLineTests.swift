import CBaseline
import Foundation
import Testing
import WeChatOpenData

/// The line form of the C baseline does the C bound's per-record work: it finds the record's
/// fields in its line, decrypts it against the record's own appid and writes a result line.
extension CBaselineTests {
    /// The result line of `line`, without its newline (which every result line must end with).
    func resultLine(_ line: String, lineNumber: UInt = 3) -> String {
        guard let decrypter else { return "no decrypter" }
        var result = [CChar](repeating: 0, count: Int(CBASELINE_RESULT_LINE_CAPACITY))
        let bytes = Array(line.utf8)
        let length = cbaseline_decrypt_line(decrypter, bytes, bytes.count, lineNumber, &result)
        let text = String(decoding: result[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : "no newline: " + text
    }

    /// The record line `wxdecrypt generate` writes for `sealed`.
    func recordLine(
        _ sealed: EncryptedOpenData, id: Int64? = 7, appID: String = CBaselineTests.appID, sessionKey: String? = nil
    ) -> String {
        BatchInputRecord(
            id: id.map { .number($0) }, appID: appID, sessionKey: sessionKey ?? key.base64EncodedString(),
            iv: sealed.iv, encryptedData: sealed.encryptedData
        ).jsonLine()
    }

    func failure(_ code: String, id: String = "7") -> String { #"{"id":\#(id),"ok":false,"error":"\#(code)"}"# }

    @Test func turnsARecordLineIntoItsResultLine() throws {
        let phone = PhoneNumber(
            phoneNumber: "13580006666", purePhoneNumber: "13580006666", countryCode: "86",
            watermark: Watermark(appID: Self.appID, timestamp: 1_637_744_274))
        let sealed = try OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key)
        #expect(resultLine(recordLine(sealed)) == #"{"id":7,"ok":true,"phoneNumber":"13580006666"}"#)
        #expect(resultLine(recordLine(sealed, id: nil), lineNumber: 12) == #"{"id":12,"ok":true,"phoneNumber":"13580006666"}"#)
        // Members in another order, with blanks, a trailing CR and a key's name as a value.
        let spaced = #" { "note":"iv", "encrypted_data" : "\#(sealed.encryptedData)" , "iv":"\#(sealed.iv)","#
            + #" "session_key": "\#(key.base64EncodedString())", "appid" :"\#(Self.appID)", "id" : -4 }"# + "\r"
        #expect(resultLine(spaced) == #"{"id":-4,"ok":true,"phoneNumber":"13580006666"}"#)
    }

    @Test func aResultLineFitsTheRoomItIsGiven() {
        let longest = String(repeating: "9", count: Int(CBASELINE_MAX_PHONE_NUMBER))
        let line = resultLine(recordLine(seal(phoneRecord(longest)), id: Int64.min))
        #expect(line == #"{"id":-9223372036854775808,"ok":true,"phoneNumber":"\#(longest)"}"#)
        #expect(line.utf8.count < Int(CBASELINE_RESULT_LINE_CAPACITY))
        #expect(resultLine(recordLine(seal(phoneRecord(longest + "9")))) == failure("invalid_payload"))
    }

    @Test func namesTheFailureOfEachBrokenRecord() {
        let sealed = seal(phoneRecord("13580006666"))
        let bad: [(line: String, code: String)] = [
            (recordLine(EncryptedOpenData(encryptedData: "*" + sealed.encryptedData.dropFirst(), iv: sealed.iv)),
             "invalid_encrypted_data"),
            (recordLine(sealed, sessionKey: String(key.base64EncodedString().prefix(16))), "invalid_session_key"),
            (recordLine(EncryptedOpenData(encryptedData: sealed.encryptedData, iv: "%" + sealed.iv.dropFirst())),
             "invalid_iv"),
            (recordLine(seal(padding: [4, 5, 4, 4])), "decryption_failed"),
            (recordLine(sealed, appID: "wx0000000000000000"), "appid_mismatch"),
            (recordLine(seal(#"{"phoneNumber":"1","watermark":{"appid":"wx4f4bc4dec97\u0064474b"}}"#)), "invalid_payload"),
        ]
        for (line, code) in bad {
            #expect(resultLine(line) == failure(code))
        }
    }

    @Test func refusesALineThatIsNotARecordOfPlainStrings() {
        let sealed = seal(phoneRecord("13580006666"))
        let line = recordLine(sealed)
        let escaped = [
            // The same values, one escape each: the baseline reads no escapes (no base64 text or appid needs one).
            line.replacingOccurrences(of: #""wx4f4bc4dec97d474b""#, with: #""wx4f4bc4dec97\u0064474b""#),
            line.replacingOccurrences(of: #""iv":""#, with: #""iv":"\/"#),
            line.replacingOccurrences(of: #""encrypted_data":""#, with: #""encrypted_data":"\n"#),
        ]
        for broken in escaped {
            #expect(broken != line)
            #expect(resultLine(broken) == failure("invalid_record"))
        }
        // An id that is not an integer, or too long for one, leaves the record named by its line number.
        for id in [#""seven""#, "12345678901234567890", "-", "null"] {
            #expect(resultLine(line.replacingOccurrences(of: #""id":7"#, with: #""id":\#(id)"#)) == failure("invalid_record", id: "3"))
        }
        for broken in ["", "   ", "[" + line.dropFirst(), line.replacingOccurrences(of: #""iv":"#, with: #""IV":"#),
                       line.replacingOccurrences(of: #""appid":""#, with: #""appid":1,"x":""#)] {
            #expect(resultLine(broken) == failure("invalid_record", id: broken.contains(#""id":7"#) ? "7" : "3"))
        }
    }
}
