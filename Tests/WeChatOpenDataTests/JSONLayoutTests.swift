import Testing
@testable import WeChatOpenData

/// The layouts walked in one pass (`PhoneNumber.Layout`, WeChat's serialisation of a phone
/// number; `BatchInputRecord.Layout`, the record lines `jsonLine()` writes) against the general
/// validator: whatever a layout accepts, the general validator accepts too, with the same members
/// handed over in the same order.
enum LayoutCheck {
    /// What a collector is handed, in order: each member's key and value as offsets.
    struct Recorder: JSONMemberCollector {
        var calls: [String] = []

        mutating func collect(key: JSONStringSpan, value: JSONValue) { record("top", key, value) }

        mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue) {
            record("in \(parent)", key, value)
        }

        private mutating func record(_ level: String, _ key: JSONStringSpan, _ value: JSONValue) {
            calls.append(
                "\(level) key \(key.start)..<\(key.end) \(key.hasEscapes) value \(value.start)..<\(value.knownEnd) \(value.knownEscapes)")
        }
    }

    typealias Matcher = @Sendable (UnsafeRawBufferPointer, inout Recorder) -> Bool

    /// The members each path collects; `nil` where the layout does not match, or the general
    /// validator refuses the document.
    static func verdicts(_ document: [UInt8], _ matches: Matcher) -> (layout: [String]?, general: [String]?) {
        document.withUnsafeBytes { bytes in
            var layout = Recorder()
            var general = Recorder()
            let matched = matches(bytes, &layout)
            let valid = StrictJSONValidator.problem(in: bytes, collecting: &general) == nil
            return (matched ? layout.calls : nil, valid ? general.calls : nil)
        }
    }

    /// Each document is in the layout, and walking it gives the general validator's members.
    static func expectWalked(_ documents: [[UInt8]], _ matches: Matcher) {
        for document in documents {
            let (layout, general) = verdicts(document, matches)
            #expect(layout != nil, "\(String(decoding: document, as: UTF8.self))")
            #expect(layout == general, "\(String(decoding: document, as: UTF8.self))")
        }
    }

    /// Every byte of each document replaced by each of the 256 values, removed, or followed by
    /// one; blanks around it; every prefix; and `extra` documents: the layout must accept only what
    /// the general validator accepts, with the same members; `accepting` is then called with the
    /// mutant. Returns how many it accepted and refused, so that a caller can check both sides
    /// were exercised.
    static func mutants(
        of documents: [[UInt8]], extra: [[UInt8]] = [], _ matches: Matcher, accepting: ([UInt8]) -> Void = { _ in }
    ) -> (accepted: Int, refused: Int) {
        var accepted = 0
        var refused = 0
        func check(_ mutant: [UInt8]) {
            let (layout, general) = verdicts(mutant, matches)
            guard let layout else { return refused += 1 }
            accepted += 1
            #expect(general == layout, "\(String(decoding: mutant, as: UTF8.self))")
            accepting(mutant)
        }
        for document in documents {
            for position in document.indices {
                var removed = document
                removed.remove(at: position)
                check(removed)
                for byte in UInt8.min...UInt8.max {
                    var replaced = document
                    replaced[position] = byte
                    check(replaced)
                    var inserted = document
                    inserted.insert(byte, at: position)
                    check(inserted)
                }
            }
            check(document + [0x20])
            check([0x20] + document)
            for end in document.indices { check(Array(document[..<end])) }
        }
        extra.forEach(check)
        return (accepted, refused)
    }
}

@Suite("A phone number in WeChat's layout: the one-pass path agrees with the general validator")
struct PhoneNumberLayoutTests {
    static let matches: LayoutCheck.Matcher = { PhoneNumber.Layout.matches($0, collecting: &$1) != nil }

    /// Phone payloads in WeChat's layout, each value drawn from what real ones hold and what the
    /// layout may meet at the edges: empty, DEL, punctuation, a zero, nineteen digits, and every
    /// value as a string or an integer (its reader, not the layout, says which it must be).
    static func documents() -> [[UInt8]] {
        var generator = SplitMix(state: 0x9_40_4E)
        let texts = [#""13580006666""#, #""+1 6505550100""#, #""+852 52831322""#, #""""#, #""0""#, "\"1\u{7F}2\"",
                     #""~!#$%&'()*+,-./:;<=>?@[]^_`{|}""#, "86", "0", "1234567890123456789", "1637744274"]
        let appIDs = [#""wx4f4bc4dec97d474b""#, #""""#, "7"]
        func any(_ values: [String]) -> String { values.randomElement(using: &generator)! }
        return (0..<200).map { _ in
            Array(
                (#"{"phoneNumber":\#(any(texts)),"purePhoneNumber":\#(any(texts)),"countryCode":\#(any(texts)),"#
                    + #""watermark":{"timestamp":\#(any(texts)),"appid":\#(any(appIDs))}}"#).utf8)
        }
    }

    @Test("every document in WeChat's layout is walked in one pass, with the general validator's members")
    func layoutDocuments() { LayoutCheck.expectWalked(Self.documents(), Self.matches) }

    @Test("every byte replaced by each of the 256, removed, or added, and integers of 1 to 40 digits: the layout accepts only what the general validator accepts, with the same members")
    func mutatedDocuments() {
        // Integers of every length up to past the general validator's limit on a number token.
        let integers = (1...40).map { digits in
            Array(
                (#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":86,"watermark":{"timestamp":\#(String(repeating: "9", count: digits)),"#
                    + #""appid":"wx"}}"#).utf8)
        }
        let (accepted, refused) = LayoutCheck.mutants(of: Array(Self.documents().prefix(6)), extra: integers, Self.matches) {
            // What the layout accepts also reads the same both ways (see `sameReading`).
            #expect(Self.reading($0, onePass: true)?.text == Self.reading($0, onePass: false)?.text, "\(String(decoding: $0, as: UTF8.self))")
        }
        // Both sides of the layout are exercised: mutants it takes and mutants it leaves.
        #expect(accepted > 5_000)
        #expect(refused > 100_000)
    }
}

extension PhoneNumberLayoutTests {
    /// What reading `document` gives, as a verified document made the one-pass way (values where
    /// the walk found them) or the general way (the validator's index, keys looked up): the
    /// watermark's verdict, the payload's kind and fields, and the JSON a batch writes, or the
    /// error; and whether the batch copied the plaintext. The expected appid is the document's
    /// own, so that most documents verify.
    static func reading(_ document: [UInt8], onePass: Bool) -> (text: String, writtenAsPlaintext: Bool)? {
        document.withUnsafeBytes { bytes -> (text: String, writtenAsPlaintext: Bool)? in
            do throws(OpenDataError) {
                return try JSONMemberIndex.withStorage {
                    (index) throws(OpenDataError) -> (text: String, writtenAsPlaintext: Bool)? in
                    let found: PhoneNumber.Layout.Found?
                    if onePass {
                        found = PhoneNumber.Layout.matches(bytes, collecting: &index)
                        guard found != nil else { return nil }
                    } else {
                        found = nil
                        guard StrictJSONValidator.problem(in: bytes, collecting: &index) == nil else { return nil }
                    }
                    let appIDValue = JSONValue.root(of: bytes, index: index).member("watermark")?.member("appid")
                    let expectedAppID = appIDValue?.stringSpan.map { JSONUnescape.string(bytes, $0) } ?? "wx"
                    let verified = try VerifiedDocument(
                        validated: bytes, index: index, phoneNumberLayout: found, expectedAppID: expectedAppID,
                        freshness: nil)
                    let payload = try OpenDataPayload.InPlace(verified)
                    var json: [UInt8] = []
                    payload.appendJSON(to: &json)
                    // The model's own writer, field by field, must give the same bytes.
                    var modelJSON: [UInt8] = []
                    payload.payload.appendJSON(to: &modelJSON)
                    #expect(json == modelJSON, "\(String(decoding: document, as: UTF8.self))")
                    var writtenAsPlaintext = false
                    if case .phoneNumber(let phone) = payload { writtenAsPlaintext = phone.isWrittenAsPlaintext }
                    return ("\(verified.watermark) \(payload.payload) \(String(decoding: json, as: UTF8.self))", writtenAsPlaintext)
                }
            } catch {
                return ("error \(error.code) \(error.field ?? "") \(error.reason)", false)
            }
        }
    }

    @Test("a document in the layout reads the same whether its values are taken where the walk found them or looked up by key, and a batch writes the bytes the model writes")
    func sameReading() {
        let integers = ["1", "86", "1234567890123456789", "9999999999999999999"].map { number in
            Array(
                (#"{"phoneNumber":"1","purePhoneNumber":"2","countryCode":\#(number),"watermark":{"timestamp":\#(number),"#
                    + #""appid":"wx"}}"#).utf8)
        }
        var read = 0
        var verbatim = 0
        for document in Self.documents() + integers {
            let onePass = Self.reading(document, onePass: true)
            let general = Self.reading(document, onePass: false)
            #expect(onePass != nil)
            #expect(onePass?.text == general?.text, "\(String(decoding: document, as: UTF8.self))")
            // The general path never copies the plaintext: it does not know the layout.
            #expect(general?.writtenAsPlaintext == false)
            if let onePass, !onePass.text.hasPrefix("error") {
                read += 1
                if onePass.writtenAsPlaintext {
                    verbatim += 1
                    #expect(onePass.text.hasSuffix(String(decoding: document, as: UTF8.self)))
                }
            }
        }
        // Both kinds of success are exercised: written as the plaintext was, and rewritten
        // (a countryCode that is a number becomes a string).
        #expect(read > 20)
        #expect(verbatim > 10 && verbatim < read)
    }
}

@Suite("A record line in the layout jsonLine() writes: the one-pass path agrees with the general validator")
struct RecordLayoutTests {
    static let matches: LayoutCheck.Matcher = { BatchInputRecord.Layout.matches($0, collecting: &$1) }

    /// Record lines as `jsonLine()` writes them, every member present: number and string ids,
    /// keys and base64 texts of every length a record may hold, and values the layout may meet.
    static func lines() -> [[UInt8]] {
        var generator = SplitMix(state: 0x1_1AE)
        func base64(_ count: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
        }
        return (0..<100).map { index in
            let id: BatchInputRecord.Identifier = index % 3 == 0 ? .string("r-\(index)") : .number(Int64(index * 7919))
            return Array(
                BatchInputRecord(
                    id: id, appID: index % 5 == 0 ? "" : "wx4f4bc4dec97d474b", sessionKey: base64(22) + "==",
                    iv: base64(22) + "==", encryptedData: base64(4 * Int.random(in: 1...60, using: &generator))
                ).jsonLine().utf8)
        }
    }

    @Test("every record line jsonLine() writes with all its members is walked in one pass, with the general validator's members")
    func layoutLines() { LayoutCheck.expectWalked(Self.lines(), Self.matches) }

    @Test("every byte replaced by each of the 256, removed, or added: the layout accepts only what the general validator accepts, with the same members")
    func mutatedLines() {
        // Short lines: every position of each is mutated.
        let short = Self.lines().filter { $0.count < 200 }.prefix(3)
        let ids = (1...40).map { digits in
            Array(
                (#"{"id":\#(String(repeating: "9", count: digits)),"appid":"wx","session_key":"a","iv":"b","#
                    + #""encrypted_data":"c"}"#).utf8)
        }
        let (accepted, refused) = LayoutCheck.mutants(of: Array(short), extra: ids, Self.matches)
        #expect(accepted > 5_000)
        #expect(refused > 100_000)
    }

    @Test("a record line in the layout reads as the same record as through the general validator: the batch worker's results agree")
    func sameResults() throws {
        let appID = "wx4f4bc4dec97d474b"
        let batch = try BatchDecryptor(defaultAppID: appID)
        var worker = batch.makeWorker()
        let watermark = Watermark(appID: appID, timestamp: 1_637_744_274)
        for number in 0..<60 {
            // Decrypting records, and records whose ciphertext is another's (decryption_failed).
            let key = SessionKey.random()
            let phone = PhoneNumber(
                phoneNumber: "1358000\(1000 + number)", purePhoneNumber: "1358000\(1000 + number)", countryCode: "86",
                watermark: watermark)
            let sealed = try OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key)
            let line = Array(
                BatchInputRecord(
                    id: .number(Int64(number)), appID: appID,
                    sessionKey: (number % 4 == 0 ? SessionKey.random() : key).base64EncodedString(), iv: sealed.iv,
                    encryptedData: sealed.encryptedData
                ).jsonLine().utf8)
            // The same record with a blank after its opening brace: outside the layout.
            let outside = [line[0], 0x20] + line.dropFirst()
            var results: [String] = []
            for text in [line, outside] {
                text.withUnsafeBytes { bytes in
                    worker.decrypt(line: bytes, lineNumber: number + 1) { result in
                        var json: [UInt8] = []
                        result.appendPayloadJSON(to: &json)
                        results.append("\(String(describing: result.error)) \(String(decoding: json, as: UTF8.self))")
                    }
                }
            }
            #expect(results.count == 2 && results[0] == results[1], "line \(number + 1)")
            #expect(results.first?.contains("13580") == (number % 4 != 0), "line \(number + 1)")
        }
    }
}
