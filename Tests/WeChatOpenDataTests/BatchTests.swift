import Foundation
import Testing
import WeChatOpenData

@Suite("Batch records: parsing and results through the public API")
struct BatchTests {
    static let decryptor = try! BatchDecryptor(defaultAppID: Sealed.appID)

    static func process(_ line: String, lineNumber: Int = 7, with decryptor: BatchDecryptor = decryptor)
        -> (output: String, failure: OpenDataError.Code?)
    {
        var output: [UInt8] = []
        let failure = Array(line.utf8).withUnsafeBytes {
            decryptor.process(line: $0, lineNumber: lineNumber, appendingTo: &output)
        }
        return (String(decoding: output, as: UTF8.self), failure)
    }

    static func record(_ sealed: Sealed, id: String? = nil, extra: String = "") -> String {
        let idPart = id.map { #""id":\#($0),"# } ?? ""
        return #"{\#(idPart)"session_key":"\#(sealed.sessionKey.base64EncodedString())","iv":"\#(sealed.data.iv)","#
            + #""encrypted_data":"\#(sealed.data.encryptedData)"\#(extra)}"#
    }

    @Test("a good record gives one ok line with its id and the payload in WeChat's order")
    func goodRecord() {
        let (output, failure) = Self.process(Self.record(Sealed(Sealed.phoneJSON), id: #"{"user":42}"#))
        #expect(failure == nil)
        #expect(output == #"{"id":{"user":42},"ok":true,"data":"# + Sealed.phoneJSON + "}\n")
    }

    @Test("every unusable line is an invalid_record result naming the line, with the line number as id")
    func invalidRecords() {
        let sealed = Sealed(Sealed.phoneJSON)
        let cases: [(String, String)] = [
            ("not json", "line 7: is not a JSON object"),
            ("[1,2]", "line 7: is not a JSON object"),
            (#"{"iv":"a","encrypted_data":"b"}"#, "line 7: missing session_key"),
            (#"{"session_key":1,"iv":"a","encrypted_data":"b"}"#, "line 7: session_key must be a string"),
            (String(repeating: " ", count: BatchInputRecord.maximumLineLength + 1), "line 7: is 1048577 bytes"),
        ]
        for (line, message) in cases {
            let (output, failure) = Self.process(line)
            #expect(failure == .invalidRecord)
            #expect(output.hasPrefix(#"{"id":7,"ok":false,"error":{"code":"invalid_record","message":""# + message), "\(output)")
        }
        let noAppID = Self.process(Self.record(sealed), with: try! BatchDecryptor(defaultAppID: nil))
        #expect(noAppID.failure == .invalidRecord && noAppID.output.contains("no appid"))
    }

    @Test("camelCase keys, CRLF, escaped slashes and a per-record appid are accepted")
    func variants() {
        let sealed = Sealed(Sealed.phoneJSON)
        let camel = #"{"sessionKey":"\#(sealed.sessionKey.base64EncodedString())","iv":"\#(sealed.data.iv)","encryptedData":"\#(sealed.data.encryptedData.replacingOccurrences(of: "/", with: "\\/"))","appId":"\#(Sealed.appID)"}"# + "\r"
        #expect(Self.process(camel).failure == nil)
        let otherApp = Self.process(Self.record(sealed, extra: #","appid":"wx0000000000000000""#))
        #expect(otherApp.failure == .appIDMismatch)
    }

    @Test("decryption failures carry the library's codes and never the key")
    func failures() {
        let sealed = Sealed(Sealed.phoneJSON)
        let stale = Self.record(sealed).replacingOccurrences(of: sealed.sessionKey.base64EncodedString(), with: "AAAAAAAAAAAAAAAAAAAAAA==")
        let result = Self.process(stale)
        #expect(result.failure == .decryptionFailed)
        #expect(!result.output.contains(sealed.sessionKey.base64EncodedString()))
    }

    @Test("a record's JSON line round-trips through Codable and decrypts in a batch, with its id echoed")
    func recordLine() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        for id in [BatchInputRecord.Identifier.number(42), .string("a\"b"), nil] {
            let record = BatchInputRecord(
                id: id, appID: Sealed.appID, sessionKey: sealed.sessionKey.base64EncodedString(), iv: sealed.data.iv,
                encryptedData: sealed.data.encryptedData)
            #expect(try JSONDecoder().decode(BatchInputRecord.self, from: Data(record.jsonLine().utf8)) == record)
            #expect(!record.description.contains(sealed.sessionKey.base64EncodedString()))
            let (output, failure) = Self.process(record.jsonLine())
            #expect(failure == nil)
            let echoed = switch id {
            case .number(let number): "\(number)"
            case .string: #""a\"b""#
            case nil: "7"
            }
            #expect(output.hasPrefix(#"{"id":\#(echoed),"ok":true"#), "\(output)")
        }
    }

    @Test("CSV rows quote what needs quoting")
    func csv() {
        let csv = try! BatchDecryptor(defaultAppID: Sealed.appID, maskPhoneNumbers: true, format: .csv)
        #expect(String(decoding: csv.header, as: UTF8.self).hasPrefix("id,ok,code,phoneNumber,"))
        let good = Self.process(Self.record(Sealed(Sealed.phoneJSON), id: #""a,b""#), with: csv)
        #expect(good.output.hasPrefix(#""a,b",true,,135****6666,135****6666,86,"#))
        let bad = Self.process("nope", with: csv)
        #expect(bad.output == "7,false,invalid_record,,,,,,,,,,,,line 7: is not a JSON object\r\n")
    }
}
