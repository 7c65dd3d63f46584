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
        let identified = BatchInputRecord(
            id: .string(id), appID: record.appID, sessionKey: record.sessionKey, iv: record.iv,
            encryptedData: record.encryptedData)
        var writer = JSONWriter()
        writer.beginObject()
        identified.writeMembers(to: &writer)
        if let now { writer.member("now", now) }
        if let maximumAge { writer.member("max_age", maximumAge) }
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// The part of ``id`` after the check's id, for short listings.
    var label: String { String(id.dropFirst(checkID.count + 1)) }

    /// Whether a correct decryptor accepts the case.
    var expectsAcceptance: Bool {
        if case .accept = expectation { return true }
        return false
    }
}
