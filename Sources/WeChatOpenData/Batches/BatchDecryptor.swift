/// Turns `decrypt-file` input lines into results: one result per record, the payload or the
/// error, never an exception.
///
/// The batch decryptor is the configuration, immutable and `Sendable`; each thread that
/// decrypts lines makes its own ``Worker`` with ``makeWorker()``, which keeps what it may
/// reuse from one record to the next (the decryptor of the appid records carry). A result is
/// handed to a closure, as a ``RecordResult`` that lives only for the call, so that decrypting
/// a record allocates nothing of its own on the success path.
///
/// ```swift
/// let batch = try BatchDecryptor(defaultAppID: "wx4f4bc4dec97d474b")
/// var worker = batch.makeWorker()
/// worker.decrypt(line: lineBytes, lineNumber: 7) { result in
///     if let error = result.error {
///         error.appendJSON(to: &output)
///     } else {
///         result.appendPayloadJSON(to: &output)  // straight from the plaintext
///     }
/// }
/// ```
///
/// Framing the lines (newlines, blank lines, a byte-order mark, lines too long to hold) and
/// writing the results (JSON Lines, CSV) are the caller's: `wxdecrypt decrypt-file` does both.
public struct BatchDecryptor: Sendable {
    /// The appid for records that do not name one.
    public let defaultAppID: String?
    /// The freshness policy, if any.
    public let freshness: FreshnessPolicy?
    /// Whether phone numbers are masked in the payloads handed out.
    public let maskPhoneNumbers: Bool
    /// Whether a record's own `now` and `max_age` set its freshness policy.
    public let freshnessFromRecords: Bool

    /// The decryptor for `defaultAppID`, made once.
    let defaultDecryptor: OpenDataDecryptor?

    /// Creates a batch decryptor.
    ///
    /// - Parameters:
    ///   - defaultAppID: The appid for records without an `appid` field.
    ///   - freshness: The freshness policy, if any.
    ///   - freshnessFromRecords: Let each record's own `max_age` (and `now`, its clock) set its
    ///     freshness policy, as conformance cases and test vectors carry them. Only for such
    ///     replays: in an archive, a record must not choose its own policy. Excludes `freshness`.
    ///   - maskPhoneNumbers: Mask phone numbers in the payloads (see ``OpenDataPayload/masked()``).
    /// - Throws: ``OpenDataError/Code/invalidArgument`` when `defaultAppID` cannot be an appid, or
    ///   both `freshness` and `freshnessFromRecords` are given.
    public init(
        defaultAppID: String?, freshness: FreshnessPolicy? = nil, freshnessFromRecords: Bool = false,
        maskPhoneNumbers: Bool = false
    ) throws(OpenDataError) {
        guard freshness == nil || !freshnessFromRecords else {
            throw .invalidArgument(field: "freshnessFromRecords", "excludes a batch-wide freshness policy")
        }
        self.defaultAppID = defaultAppID
        self.freshness = freshness
        self.freshnessFromRecords = freshnessFromRecords
        self.maskPhoneNumbers = maskPhoneNumbers
        defaultDecryptor = try defaultAppID.map { (appID) throws(OpenDataError) in
            try OpenDataDecryptor(appID: appID, freshness: freshness)
        }
    }

    /// Makes a worker for one thread: workers share nothing, so each thread that decrypts
    /// lines should have its own.
    ///
    /// - Returns: A worker with this configuration.
    public func makeWorker() -> Worker { Worker(batch: self) }

    /// What became of one record.
    public enum Outcome: Sendable, Hashable {
        /// The record decrypted and verified; `key` says which key did it: `.previous` when the
        /// record's `previous_session_key` did (the stale-key trap, see ``SessionKeyRing``).
        case decrypted(OpenDataPayload, key: SessionKeyRing.Slot)
        /// The record failed: unreadable (``OpenDataError/Code/invalidRecord``) or not decrypted
        /// and verified (the library's other codes).
        case failed(OpenDataError)
    }
}
