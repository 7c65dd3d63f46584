import Foundation
import Testing
import WeChatOpenData

/// What a worker handed out for one line, copied out of the closure.
struct BatchResult {
    let outcome: BatchDecryptor.Outcome
    let lineNumber: Int
    /// `appendID(to:)` and `appendIDText(to:)`.
    let id: String
    let idText: String

    var failure: OpenDataError.Code? {
        if case .failed(let error) = outcome { error.code } else { nil }
    }

    /// The result as `decrypt-file` writes it in JSON Lines, built from the public pieces.
    var jsonLine: String {
        var line = Array(#"{"id":\#(id),"#.utf8)
        switch outcome {
        case .decrypted(let payload, let key):
            line += Array(#""ok":true,\#(key == .previous ? #""session_key":"previous","# : "")"data":"#.utf8)
            payload.appendJSON(to: &line)
        case .failed(let error):
            line += Array(#""ok":false,"error":"#.utf8)
            error.appendJSON(to: &line)
        }
        return String(decoding: line, as: UTF8.self) + "}\n"
    }
}

@Suite("Batch records: parsing and results through the public API")
struct BatchTests {
    static let decryptor = try! BatchDecryptor(defaultAppID: Sealed.appID)

    static func decrypt(_ line: String, lineNumber: Int = 7, with worker: inout BatchDecryptor.Worker) -> BatchResult {
        var copied: BatchResult?
        Array(line.utf8).withUnsafeBytes { bytes in
            worker.decrypt(line: bytes, lineNumber: lineNumber) { result in
                var id: [UInt8] = [], idText: [UInt8] = []
                result.appendID(to: &id)
                result.appendIDText(to: &idText)
                Self.expectInPlaceAccessorsAgree(result)
                copied = BatchResult(
                    outcome: result.outcome, lineNumber: result.lineNumber, id: String(decoding: id, as: UTF8.self),
                    idText: String(decoding: idText, as: UTF8.self))
            }
        }
        return copied!
    }

    /// `payload`, `key` and `error`, read in place, say what `outcome` says: every test that
    /// decrypts a line through this suite checks them.
    static func expectInPlaceAccessorsAgree(_ result: borrowing BatchDecryptor.RecordResult) {
        var direct: [UInt8] = []
        result.appendPayloadJSON(to: &direct)
        switch result.outcome {
        case .decrypted(let payload, let key):
            #expect(result.key == key && result.error == nil)
            #expect(result.payload == payload)
            // Written from the plaintext, byte for byte what the model writes.
            var typed: [UInt8] = []
            payload.appendJSON(to: &typed)
            #expect(String(decoding: direct, as: UTF8.self) == String(decoding: typed, as: UTF8.self))
        case .failed(let error):
            #expect(result.key == nil && result.payload == nil)
            #expect(result.error == error)
            #expect(direct.isEmpty)
        }
    }

    /// The same for a user profile: every text member, the optional ones missing or null, a
    /// nickname in any script.
    @Test("a user profile written from the plaintext is the model's JSON, whatever its spelling", arguments: [
        (#""openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA""#, nil),
        (#""nickName":"\u5c0f\"\\明\n","gender":0,"language":"","city":"","province":"","country":"","avatarUrl":"","openId":null"#, nil),
        (#""unionId":null,"avatarUrl":"http:\/\/x\/y","country":"\ud83d\ude00","province":"p","city":"c","language":"en","gender":-3,"nickName":"😀 é"#
         + #"""#, nil),
        (#""nickName":"Band","gender":"1","language":"zh_CN","city":"","province":"","country":"","avatarUrl":"""#,
         OpenDataError.Code.invalidPayload),
        (#""nickName":"Band","gender":1,"language":"zh_CN","city":"","province":"","country":"","avatarUrl":"","openId":7"#,
         .invalidPayload),
        (#""nickName":"Band","gender":1,"language":"zh_CN","city":"","province":"","avatarUrl":"""#, .invalidPayload),
    ] as [(String, OpenDataError.Code?)])
    func userInfoInPlace(members: String, failure: OpenDataError.Code?) throws {
        let sealed = Sealed("{" + members + "," + Sealed.watermarkJSON + "}")
        let result = Self.decrypt(Self.record(sealed))
        #expect(result.failure == failure)
        if failure == nil, case .decrypted(let payload, _) = result.outcome { #expect(payload.kind == .user) }
        let masking = try BatchDecryptor(defaultAppID: Sealed.appID, maskPhoneNumbers: true)
        #expect(Self.decrypt(Self.record(sealed), with: masking).failure == failure)
    }

    /// A phone number's text is written straight from the plaintext (``expectInPlaceAccessorsAgree``
    /// compares it with the model's output for every line here): escapes of every kind, an
    /// integer country code, members in another order, whitespace, and the errors the model gives.
    @Test("a phone number written from the plaintext is the model's JSON, whatever its spelling", arguments: [
        (#""phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86""#, nil),
        (#""phoneNumber":"\u0031358000\"66\\66","purePhoneNumber":"1358\/0006666","countryCode":"8\u0036""#, nil),
        (#""phoneNumber":"+1 (650) 555\n0100 \ud83d\ude00 é","purePhoneNumber":"6505550100","countryCode":1"#, nil),
        (#""countryCode":-0, "purePhoneNumber" : "5550100" ,"phoneNumber":"","extra":[1,{"a":"\u0000"}]"#, nil),
        (#""phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":9223372036854775807"#, nil),
        (#""phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":9223372036854775808"#,
         OpenDataError.Code.invalidPayload),
        (#""phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86.0"#, .invalidPayload),
        (#""phoneNumber":13580006666,"purePhoneNumber":"13580006666","countryCode":"86""#, .invalidPayload),
        (#""phoneNumber":"13580006666","purePhoneNumber":null,"countryCode":"86""#, .invalidPayload),
        (#""phoneNumber":"13580006666","countryCode":"86""#, .invalidPayload),
    ] as [(String, OpenDataError.Code?)])
    func phoneNumberInPlace(members: String, failure: OpenDataError.Code?) throws {
        let sealed = Sealed("{" + members + "," + Sealed.watermarkJSON + "}")
        #expect(Self.decrypt(Self.record(sealed)).failure == failure)
        // Masked, the payload is read into its model first: the same checks, the same errors.
        let masking = try BatchDecryptor(defaultAppID: Sealed.appID, maskPhoneNumbers: true)
        #expect(Self.decrypt(Self.record(sealed), with: masking).failure == failure)
    }

    static func decrypt(_ line: String, lineNumber: Int = 7, with batch: BatchDecryptor = decryptor) -> BatchResult {
        var worker = batch.makeWorker()
        return decrypt(line, lineNumber: lineNumber, with: &worker)
    }

    /// The result line and the failure code, for tests that read the whole line.
    static func process(_ line: String, lineNumber: Int = 7, with batch: BatchDecryptor = decryptor)
        -> (output: String, failure: OpenDataError.Code?)
    {
        let result = decrypt(line, lineNumber: lineNumber, with: batch)
        return (result.jsonLine, result.failure)
    }

    static func record(_ sealed: Sealed, id: String? = nil, extra: String = "") -> String {
        let idPart = id.map { #""id":\#($0),"# } ?? ""
        return #"{\#(idPart)"session_key":"\#(sealed.sessionKey.base64EncodedString())","iv":"\#(sealed.data.iv)","#
            + #""encrypted_data":"\#(sealed.data.encryptedData)"\#(extra)}"#
    }

    @Test("a good record gives its payload in WeChat's order, the current key and its id")
    func goodRecord() {
        let result = Self.decrypt(Self.record(Sealed(Sealed.phoneJSON), id: #"{"user":42}"#))
        guard case .decrypted(let payload, let key) = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
        #expect(key == .current && result.lineNumber == 7)
        var json: [UInt8] = []
        payload.appendJSON(to: &json)
        #expect(String(decoding: json, as: UTF8.self) == Sealed.phoneJSON)
        #expect(result.id == #"{"user":42}"# && result.idText == #"{"user":42}"#)
        #expect(result.jsonLine == #"{"id":{"user":42},"ok":true,"data":"# + Sealed.phoneJSON + "}\n")
    }

    /// Strings inside an id are skipped, not validated again: an escaped quote or backslash must
    /// not end one early, whatever its offset in the eight-byte steps.
    @Test("an id with escaped quotes and backslashes is echoed on one line, exactly")
    func escapedID() {
        for padding in 0..<9 {
            let pad = String(repeating: "p", count: padding)
            let id = #"{ "k" : "\#(pad)a\"b\\" ,"n":[1, "x\\\"y}\u0022" ] }"#
            let compact = #"{"k":"\#(pad)a\"b\\","n":[1,"x\\\"y}\u0022"]}"#
            let result = Self.decrypt(Self.record(Sealed(Sealed.phoneJSON), id: id))
            #expect(result.id == compact && result.failure == nil, "\(result.id)")
        }
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
            // Shorter than the scanner's eight-byte step, with a string left open.
            (#"{"a"#, "line 7: is not a JSON object"),
            (#"{"id":""#, "line 7: is not a JSON object"),
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
            let result = Self.decrypt(record.jsonLine())
            #expect(result.failure == nil)
            let (echoed, text) = switch id {
            case .number(let number): ("\(number)", "\(number)")
            case .string: (#""a\"b""#, #"a"b"#)
            case nil: ("7", "7")
            }
            #expect(result.id == echoed && result.idText == text, "\(result.id) \(result.idText)")
        }
        // A record that cannot be read in full still echoes its id, as JSON and as text.
        let unreadable = Self.decrypt(#"{"id":"x\u0041\"","iv":"a"}"#)
        #expect(unreadable.failure == .invalidRecord)
        #expect(unreadable.id == #""x\u0041\"""# && unreadable.idText == #"xA""#, "\(unreadable.id) \(unreadable.idText)")
    }

    @Test("a worker checks an appid once for a run of records that carry it, and never mixes two appids up")
    func recordAppIDs() throws {
        func phone(_ appID: String) -> Sealed {
            Sealed(#"{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":"86","#
                + #""watermark":{"timestamp":1637744274,"appid":"\#(appID)"}}"#)
        }
        let other = "wxB000000000000000", third = "wxC000000000000000"
        let b = phone(other), c = phone(third), own = Sealed(Sealed.phoneJSON)
        // "wx\u0042…" is wxB… with an escape: the kept decryptor must still match it.
        let escaped = "wx\\u0042" + other.dropFirst(3)
        let lines: [(String, OpenDataError.Code?)] = [
            (Self.record(b, extra: #","appid":"\#(other)""#), nil),
            (Self.record(own), nil),
            (Self.record(b, extra: #","appid":"\#(escaped)""#), nil),
            (Self.record(c, extra: #","appid":"\#(third)""#), nil),
            (Self.record(b, extra: #","appid":"\#(third)""#), .appIDMismatch),
            (Self.record(b, extra: #","appid":"not an appid""#), .invalidArgument),
            (Self.record(c, extra: #","appid":"\#(third)""#), nil),
            (Self.record(own, extra: #","appid":"\#(other)""#), .appIDMismatch),
            (Self.record(own, extra: #","appid":"\#(Sealed.appID)""#), nil),
        ]
        var worker = Self.decryptor.makeWorker()
        for (number, (line, expected)) in lines.enumerated() {
            let result = Self.decrypt(line, lineNumber: number + 1, with: &worker)
            #expect(result.failure == expected, "line \(number + 1): \(result.outcome)")
        }
        // Without a default appid, the records' own appids are all there is.
        var noDefault = try BatchDecryptor(defaultAppID: nil).makeWorker()
        #expect(Self.decrypt(Self.record(b, extra: #","appid":"\#(other)""#), with: &noDefault).failure == nil)
        #expect(Self.decrypt(Self.record(own), with: &noDefault).failure == .invalidRecord)
    }

    @Test("the flat form: every kind's columns, then the watermark's; each payload fills its own")
    func tableCells() throws {
        #expect(OpenDataPayload.tableColumns == [
            "phoneNumber", "purePhoneNumber", "countryCode", "openId", "unionId", "nickName", "openGId", "opengid",
            "stepDays", "appid", "timestamp",
        ])
        func cells(_ payload: OpenDataPayload) -> [Int: String] {
            var cells: [Int: String] = [:]
            payload.forEachTableCell { column, text in cells[column] = text }
            return cells
        }
        let phone = try Sealed(Sealed.phoneJSON).decryptPayload()
        #expect(cells(phone) == [0: "13580006666", 1: "13580006666", 2: "86", 9: Sealed.appID, 10: "1637744274"])
        let share = try Sealed(#"{"openGId":"tG1","# + Sealed.watermarkJSON + "}").decryptPayload()
        #expect(cells(share) == [6: "tG1", 9: Sealed.appID, 10: "1637744274"])
        let raw = try Sealed(#"{"other":1,"# + Sealed.watermarkJSON + "}").decryptPayload()
        #expect(cells(raw) == [9: Sealed.appID, 10: "1637744274"])
    }

    @Test("an error as JSON: its code and its reason, escaped")
    func errorJSON() throws {
        let failed = Self.decrypt(#"{"id":1,"session_key":"a\"b","iv":"AAAAAAAAAAAAAAAAAAAAAA==","encrypted_data":"AAAA"}"#)
        guard case .failed(let error) = failed.outcome else {
            Issue.record("\(failed.outcome)")
            return
        }
        var json: [UInt8] = []
        error.appendJSON(to: &json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: String])
        #expect(object == ["code": error.code.name, "message": error.reason])
    }
}

@Suite("Batch records with a previous session key")
struct BatchKeyRingTests {
    static func line(_ sealed: Sealed, key: String, previous: String?, spelling: String = "previous_session_key") -> String {
        let previousMember = previous.map { #","\#(spelling)":"\#($0)""# } ?? ""
        return #"{"id":1,"session_key":"\#(key)"\#(previousMember),"iv":"\#(sealed.data.iv)","encrypted_data":"\#(sealed.data.encryptedData)"}"#
    }

    static func run(_ line: String) -> (String, BatchResult) {
        let result = BatchTests.decrypt(line, lineNumber: 1)
        return (result.jsonLine, result)
    }

    static func matchedKey(_ result: BatchResult) -> SessionKeyRing.Slot? {
        if case .decrypted(_, let key) = result.outcome { key } else { nil }
    }

    @Test("the previous key decrypts when the current one fails, and the result says so")
    func previousMatches() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let old = sealed.sessionKey.base64EncodedString(), new = SessionKey.random().base64EncodedString()
        for spelling in ["previous_session_key", "previousSessionKey"] {
            let (output, result) = Self.run(Self.line(sealed, key: new, previous: old, spelling: spelling))
            #expect(Self.matchedKey(result) == .previous)
            #expect(output.hasPrefix(#"{"id":1,"ok":true,"session_key":"previous","data":{"phoneNumber""#), "\(output)")
            #expect(!output.contains(old) && !output.contains(new))
        }
    }

    @Test("the current key is tried first; neither, the same key twice, or a bad previous key fail as the ring does")
    func otherCases() throws {
        let sealed = Sealed(Sealed.phoneJSON)
        let key = sealed.sessionKey.base64EncodedString(), other = SessionKey.random().base64EncodedString()
        let (current, currentResult) = Self.run(Self.line(sealed, key: key, previous: other))
        #expect(Self.matchedKey(currentResult) == .current)
        #expect(!current.contains("session_key"))
        #expect(Self.run(Self.line(sealed, key: other, previous: SessionKey.random().base64EncodedString())).1.failure == .decryptionFailed)
        #expect(Self.run(Self.line(sealed, key: other, previous: other)).1.failure == .decryptionFailed)
        let (bad, badResult) = Self.run(Self.line(sealed, key: other, previous: "short"))
        #expect(badResult.failure == .invalidSessionKey && bad.contains("previous_session_key"), "\(bad)")
        let (both, bothResult) = Self.run(
            Self.line(sealed, key: other, previous: key).replacingOccurrences(of: #""iv""#, with: #""previousSessionKey":"\#(key)","iv""#))
        #expect(bothResult.failure == .invalidRecord && both.contains("previous_session_key and previousSessionKey"), "\(both)")
    }
}
