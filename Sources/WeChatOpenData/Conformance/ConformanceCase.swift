/// One input of a conformance run: a `decrypt-file` input line and what a correct decryptor
/// must do with it.
///
/// Use the cases directly to test a decryptor in-process (feed ``record`` to it and compare
/// with ``expectation``), or write ``inputLine`` to a command under test as
/// `wxdecrypt conformance` does.
public struct ConformanceCase: Sendable, Hashable, Identifiable {
    /// What a correct decryptor does with a case.
    public enum Expectation: Sendable, Hashable {
        /// It decrypts, and the answer's `data` holds every field of `plaintext` with the same
        /// value (a number and a string of the same digits count as equal; extra fields are fine).
        case accept(plaintext: String)
        /// It refuses the record, whatever the reason it gives.
        case reject
    }

    /// A unique identifier: the check's id, a slash and a short label (`rejects-pad-byte-zero/zero-fill`).
    public let id: String
    /// The ``ConformanceCheck/id`` of the check this case counts towards.
    public let checkID: String
    /// The appid the decryptor must expect, and the base64 inputs exactly as sent.
    public let record: BatchInputRecord
    /// The clock (Unix seconds) to check freshness against, for freshness cases only.
    public let now: Int64?
    /// The oldest the payload may be, in seconds, for freshness cases only; a timestamp more
    /// than 60 seconds past ``now`` is stale too.
    public let maximumAge: Int64?
    /// Accept with these fields, or reject.
    public let expectation: Expectation
    /// Texts that must never appear in an error: the key in base64 and hex, and the
    /// identifiers (phone numbers, openIds) in the plaintext.
    let leakMarkers: [LeakMarker]

    init(
        id: String, checkID: String, record: BatchInputRecord, now: Int64? = nil, maximumAge: Int64? = nil,
        expectation: Expectation, plaintextIdentifiers: [String]
    ) {
        self.id = id
        self.checkID = checkID
        self.record = record
        self.now = now
        self.maximumAge = maximumAge
        self.expectation = expectation
        leakMarkers = LeakMarker.markers(sessionKeyText: record.sessionKey, plaintextIdentifiers: plaintextIdentifiers)
    }

    /// The case as one line of `decrypt-file` input (no newline): `id`, `appid`, `session_key`,
    /// `iv`, `encrypted_data`, and `now` and `max_age` for freshness cases.
    public var inputLine: String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("id", id)
        writer.member("appid", optional: record.appID)
        writer.member("session_key", record.sessionKey)
        writer.member("iv", record.iv)
        writer.member("encrypted_data", record.encryptedData)
        if let now { writer.member("now", now) }
        if let maximumAge { writer.member("max_age", maximumAge) }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The part of ``id`` after the check's id, for short listings.
    var label: String {
        guard let slash = id.lastIndex(of: "/") else { return id }
        return String(id[id.index(after: slash)...])
    }

    /// Whether a correct decryptor accepts the case.
    var expectsAcceptance: Bool {
        if case .accept = expectation { return true }
        return false
    }
}

/// A text that must not appear in a command's error output.
struct LeakMarker: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case sessionKey, plaintext }

    let text: String
    let kind: Kind
    /// Hex may be written in either case.
    let ignoresCase: Bool

    /// Shorter texts could turn up in error text by chance.
    static let minimumLength = 8

    static func markers(sessionKeyText: String, plaintextIdentifiers: [String]) -> [LeakMarker] {
        var markers: [LeakMarker] = []
        func add(_ text: String, _ kind: Kind, ignoresCase: Bool = false) {
            guard text.utf8.count >= minimumLength else { return }
            let marker = LeakMarker(text: ignoresCase ? text.lowercased() : text, kind: kind, ignoresCase: ignoresCase)
            if !markers.contains(marker) { markers.append(marker) }
        }
        let trimmed = sessionKeyText.trimmingWhitespace()
        add(trimmed, .sessionKey)
        if let key = anyLengthBase64(trimmed) {
            let canonical = key.withUnsafeBytes { Base64Encoding.encode($0) }
            add(canonical, .sessionKey)
            add(String(canonical.prefix { $0 != "=" }), .sessionKey)
            add(key.withUnsafeBytes { Hex.encode($0) }, .sessionKey, ignoresCase: true)
        }
        for identifier in plaintextIdentifiers { add(identifier, .plaintext) }
        return markers
    }

    /// The bytes of a base64 text of any length, after the usual repairs; `nil` when it is not base64.
    private static func anyLengthBase64(_ text: String) -> [UInt8]? {
        let field = Base64Field(
            name: "session_key", code: .invalidSessionKey, lengthRule: "any length", acceptsLength: { _ in true },
            isSecret: true)
        var bytes: [UInt8]?
        try? Base64Decoding.withDecoded(text, field: field) { (decoded, _) throws(OpenDataError) in
            bytes = Array(decoded)
        }
        return bytes
    }

    /// Whether `text` (and its lowercase form, for hex) contains the marker.
    func isFound(in text: String, lowercased: String) -> Bool {
        (ignoresCase ? lowercased : text).contains(self.text)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
