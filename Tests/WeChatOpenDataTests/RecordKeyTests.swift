import Testing
@testable import WeChatOpenData

/// A record line's keys are told apart by their length first, then by a word or two: every name,
/// in every spelling, raw or escaped, must be read, and every other key of the same length ignored.
@Suite("Record line keys: every field in both spellings, escaped or raw, and near misses ignored")
struct RecordKeyTests {
    static let sealed = Sealed(Sealed.phoneJSON)
    static let key = sealed.sessionKey.base64EncodedString()
    static let wrongKey = SessionKey.random().base64EncodedString()
    static let otherApp = "wx0000000000000000"
    static let freshBatch = try! BatchDecryptor(defaultAppID: Sealed.appID, freshnessFromRecords: true)

    /// The record's members, in order, each a key as written (escapes included) and a JSON value.
    static func line(_ members: [(key: String, value: String)]) -> String {
        "{" + members.map { #""\#($0.key)":\#($0.value)"# }.joined(separator: ",") + "}"
    }

    static func string(_ text: String) -> String { #""\#(text)""# }

    /// A good record whose members are replaced by name (`nil` drops one) and extended.
    static func record(replacing replaced: [String: (key: String, value: String)?] = [:],
                       adding added: [(key: String, value: String)] = []) -> String {
        let usual: [(key: String, value: String)] = [
            ("session_key", string(key)), ("iv", string(sealed.data.iv)), ("encrypted_data", string(sealed.data.encryptedData)),
        ]
        var members: [(key: String, value: String)] = []
        for member in usual {
            if let replacement = replaced[member.key] {
                if let replacement { members.append(replacement) }
            } else {
                members.append(member)
            }
        }
        return line(members + added)
    }

    /// `name` raw, then with each of its characters in turn written as a `\u` escape.
    static func spellings(of name: String) -> [String] {
        let characters = Array(name)
        return [name] + characters.indices.map { position in
            characters.enumerated().map { index, character in
                index == position ? "\\u00" + String(character.asciiValue!, radix: 16) : String(character)
            }.joined()
        }
    }

    /// `name` with one character changed at each position in turn: same length, another key.
    static func nearMisses(of name: String) -> [String] {
        let characters = Array(name)
        return characters.indices.map { position in
            var changed = characters
            changed[position] = changed[position] == "z" ? "y" : Character(UnicodeScalar(changed[position].asciiValue! + 1))
            return String(changed)
        } + [name.prefix(1).uppercased() + name.dropFirst()]
    }

    static func decrypt(_ line: String, with batch: BatchDecryptor = BatchTests.decryptor) -> BatchResult {
        BatchTests.decrypt(line, lineNumber: 3, with: batch)
    }

    static func key(_ result: BatchResult) -> SessionKeyRing.Slot? {
        if case .decrypted(_, let key) = result.outcome { key } else { nil }
    }

    @Test("the key, iv and data are read in either spelling, raw or with any one character escaped",
          arguments: [("session_key", "session_key"), ("sessionKey", "session_key"), ("iv", "iv"),
                      ("encrypted_data", "encrypted_data"), ("encryptedData", "encrypted_data")])
    func requiredFields(name: String, field: String) {
        let value = [
            "session_key": Self.string(Self.key), "iv": Self.string(Self.sealed.data.iv),
            "encrypted_data": Self.string(Self.sealed.data.encryptedData),
        ][field]!
        for spelling in Self.spellings(of: name) {
            let result = Self.decrypt(Self.record(replacing: [field: (spelling, value)]))
            #expect(result.failure == nil && Self.key(result) == .current, "\(spelling)")
        }
        let missing = Self.decrypt(Self.record(replacing: [field: nil]))
        #expect(missing.failure == .invalidRecord && missing.jsonLine.contains("missing \(field)"))
    }

    @Test("appid and appId are read raw or escaped: another app's id is refused", arguments: ["appid", "appId"])
    func appID(name: String) {
        for spelling in Self.spellings(of: name) {
            let other = Self.decrypt(Self.record(adding: [(spelling, Self.string(Self.otherApp))]))
            #expect(other.failure == .appIDMismatch, "\(spelling)")
            let same = Self.decrypt(Self.record(adding: [(spelling, Self.string(Sealed.appID))]),
                                    with: try! BatchDecryptor(defaultAppID: nil))
            #expect(same.failure == nil, "\(spelling)")
        }
    }

    @Test("the previous key is read in either spelling, raw or escaped",
          arguments: ["previous_session_key", "previousSessionKey"])
    func previousKey(name: String) {
        for spelling in Self.spellings(of: name) {
            let result = Self.decrypt(Self.record(
                replacing: ["session_key": ("session_key", Self.string(Self.wrongKey))],
                adding: [(spelling, Self.string(Self.key))]))
            #expect(Self.key(result) == .previous, "\(spelling)")
        }
    }

    @Test("id is echoed whatever its type, its key raw or escaped")
    func identifier() {
        for spelling in Self.spellings(of: "id") {
            for value in [#""x-42""#, "42", "-1.5e3", "null", "true", #"[1,{"a":"b"}]"#, #"{"k":"v"}"#] {
                let result = Self.decrypt(Self.record(adding: [(spelling, value)]))
                #expect(result.id == value && result.failure == nil, "\(spelling): \(value)")
            }
        }
    }

    /// With freshness from records, `now` replaces the clock and `max_age` sets the limit: a
    /// payload five seconds old is fresh only by the record's clock, and one a thousand seconds
    /// old is stale only by the record's limit.
    @Test("now and max_age are read raw or escaped when the batch takes freshness from records")
    func freshness() {
        let soon = String(Sealed.timestamp + 5), late = String(Sealed.timestamp + 1000)
        for spelling in Self.spellings(of: "now") {
            let fresh = Self.decrypt(Self.record(adding: [(spelling, soon), ("max_age", "10")]), with: Self.freshBatch)
            #expect(fresh.failure == nil, "\(spelling)")
        }
        for spelling in Self.spellings(of: "max_age") {
            let stale = Self.decrypt(Self.record(adding: [("now", late), (spelling, "10")]), with: Self.freshBatch)
            #expect(stale.failure == .watermarkExpired, "\(spelling)")
        }
    }

    @Test("a key of a name's length that differs from it in any one character is ignored")
    func nearMissesAreIgnored() {
        for miss in ["session_key", "sessionKey"].flatMap(Self.nearMisses(of:)) {
            let result = Self.decrypt(Self.record(replacing: ["session_key": (miss, Self.string(Self.key))]))
            #expect(result.failure == .invalidRecord && result.jsonLine.contains("missing session_key"), "\(miss)")
        }
        for miss in Self.nearMisses(of: "iv") {
            let result = Self.decrypt(Self.record(replacing: ["iv": (miss, Self.string(Self.sealed.data.iv))]))
            #expect(result.jsonLine.contains("missing iv"), "\(miss)")
        }
        for miss in ["encrypted_data", "encryptedData"].flatMap(Self.nearMisses(of:)) {
            let result = Self.decrypt(
                Self.record(replacing: ["encrypted_data": (miss, Self.string(Self.sealed.data.encryptedData))]))
            #expect(result.jsonLine.contains("missing encrypted_data"), "\(miss)")
        }
        for miss in ["appid", "appId"].flatMap(Self.nearMisses(of:)) + ["appID"] {
            #expect(Self.decrypt(Self.record(adding: [(miss, Self.string(Self.otherApp))])).failure == nil, "\(miss)")
        }
        for miss in ["previous_session_key", "previousSessionKey"].flatMap(Self.nearMisses(of:)) {
            let result = Self.decrypt(Self.record(
                replacing: ["session_key": ("session_key", Self.string(Self.wrongKey))],
                adding: [(miss, Self.string(Self.key))]))
            #expect(result.failure == .decryptionFailed, "\(miss)")
        }
        for miss in Self.nearMisses(of: "id") + ["ID"] {
            #expect(Self.decrypt(Self.record(adding: [(miss, "99")])).id == "3", "\(miss)")
        }
        for miss in Self.nearMisses(of: "now") {
            let result = Self.decrypt(
                Self.record(adding: [(miss, String(Sealed.timestamp + 5)), ("max_age", "10")]), with: Self.freshBatch)
            #expect(result.failure == .watermarkExpired, "\(miss)")
        }
        for miss in Self.nearMisses(of: "max_age") {
            let result = Self.decrypt(
                Self.record(adding: [("now", String(Sealed.timestamp + 1000)), (miss, "10")]), with: Self.freshBatch)
            #expect(result.failure == nil, "\(miss)")
        }
    }

    /// The required members but `field`, so that a test can write that one itself.
    static func required(but field: String) -> [(key: String, value: String)] {
        [("session_key", string(key)), ("iv", string(sealed.data.iv)), ("encrypted_data", string(sealed.data.encryptedData))]
            .filter { $0.key != field }
    }

    @Test("a field in both spellings is ambiguous, and a wrong type is named by its snake_case name, escaped or raw")
    func ambiguityAndTypes() {
        // Each key as written, then as the message names it; the one seen first is named first.
        let pairs: [(first: String, firstName: String, second: String, secondName: String, field: String)] = [
            ("sessionKey", "sessionKey", #"session\u005fkey"#, "session_key", "session_key"),
            ("encrypted_data", "encrypted_data", "encryptedData", "encryptedData", "encrypted_data"),
            (#"app\u0049d"#, "appId", "appid", "appid", "appid"),
            ("previous_session_key", "previous_session_key", #"previousSession\u004bey"#, "previousSessionKey", ""),
        ]
        for pair in pairs {
            // Both null: a spelling counts as seen whatever its value.
            let line = Self.line([(pair.first, "null"), (pair.second, "null")] + Self.required(but: pair.field))
            let result = Self.decrypt(line)
            #expect(result.failure == .invalidRecord, "\(line)")
            #expect(result.jsonLine.contains("has both \(pair.firstName) and \(pair.secondName); keep one spelling"),
                    "\(result.jsonLine)")
        }
        let types: [(key: String, value: String, field: String)] = [
            ("sessionKey", "1", "session_key"), ("encryptedData", "true", "encrypted_data"), (#"app\u0049d"#, "7", "appid"),
            ("previousSessionKey", "[]", "previous_session_key"), (#"i\u0076"#, "{}", "iv"), ("session_key", "-0.5", "session_key"),
        ]
        for type in types {
            let result = Self.decrypt(Self.line([(type.key, type.value)] + Self.required(but: type.field)))
            #expect(result.failure == .invalidRecord && result.jsonLine.contains("\(type.field) must be a string"),
                    "\(result.jsonLine)")
        }
        // null is no value: the default appid is used.
        #expect(Self.decrypt(Self.record(adding: [("appId", "null")])).failure == nil)
    }
}

/// The validator's string scan takes sixteen bytes a step and the last few through a masked load
/// of the buffer's final sixteen: the first stop must be found wherever it is and the buffer ends.
@Suite("String scanning and key comparison in the strict validator")
struct StringScanTests {
    static func naiveStop(_ bytes: [UInt8], from start: Int) -> Int? {
        bytes.indices.dropFirst(start).first { bytes[$0] < 0x20 || bytes[$0] >= 0x80 || bytes[$0] == 0x22 || bytes[$0] == 0x5C }
    }

    @Test("the first stop byte is found at every offset, from every start, in buffers of every length up to 70")
    func everyOffset() {
        var mismatches: [String] = []
        for length in 1...70 {
            // 0x7F is plain; each other byte stops a scan.
            for stop in [nil, 0x22, 0x5C, 0x00, 0x1F, 0x7F, 0x80, 0xFF] as [UInt8?] {
                for position in 0..<(stop == nil ? 1 : length) {
                    var bytes = [UInt8](repeating: UInt8(ascii: "A"), count: length)
                    if let stop { bytes[position] = stop }
                    bytes.withUnsafeBytes { buffer in
                        for start in 0..<length
                        where ByteSearch.stringStop(in: buffer.baseAddress!, count: length, from: start)
                            != Self.naiveStop(bytes, from: start)
                        {
                            mismatches.append("length \(length), \(String(describing: stop)) at \(position), from \(start)")
                        }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("keys of one length with the same first and last bytes are different unless equal once unescaped")
    func duplicateKeySummaries() {
        let accepted = [#"{"axb":1,"ayb":2}"#, #"{"":1,"a":2}"#, #"{"id":1,"iv":2,"ie":3}"#, #"{"ab":1,"a\u0062c":2}"#]
        let refused = [#"{"axb":1,"a\u0078b":2}"#, #"{"":1,"":2}"#, #"{"a\u0062":1,"ab":2}"#, #"{"x":1,"axb":2,"axb":3}"#]
        for text in accepted {
            #expect(Array(text.utf8).withUnsafeBytes { StrictJSONValidator.problem(in: $0) } == nil, "\(text)")
        }
        for text in refused {
            #expect(Array(text.utf8).withUnsafeBytes { StrictJSONValidator.problem(in: $0) } == .duplicateKey, "\(text)")
        }
    }
}
