#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension BatchDecryptor {
    /// Decrypts record lines on one thread: a value that each thread keeps for itself
    /// (``BatchDecryptor/makeWorker()``), with what it may reuse from one record to the next.
    ///
    /// Records that carry their own `appid` get a decryptor for it: the worker keeps the last
    /// one, so an appid is checked once for each run of records that carry it, not once for
    /// every record.
    public struct Worker: Sendable {
        private let batch: BatchDecryptor
        /// The decryptor of the last record appid that was not the default one.
        private var recordDecryptor: OpenDataDecryptor?
        /// The cipher context re-keyed for each record (much cheaper than a new one). A copy of a
        /// worker shares it until its first record, which then makes one of its own.
        private var cipherContext: AESCBC.DecryptionContext?

        init(batch: BatchDecryptor) { self.batch = batch }

        /// Decrypts one record line and hands its result to `body`.
        ///
        /// A record may carry `previous_session_key` (or `previousSessionKey`): when its
        /// `session_key` gives `decryption_failed`, the previous key is tried, as
        /// ``SessionKeyRing`` does, and the result's `key` says `.previous`.
        ///
        /// - Parameters:
        ///   - line: The line's bytes, without its newline (a trailing CR is ignored); at most
        ///     ``BatchInputRecord/maximumLineLength`` bytes, or the record is invalid.
        ///   - lineNumber: The 1-based line number: the id of a record without one, and how
        ///     `invalid_record` reasons name the line.
        ///   - body: Called once, before this method returns, with the record's result. The
        ///     result refers to `line` and cannot outlive the call.
        public mutating func decrypt(
            line: UnsafeRawBufferPointer, lineNumber: Int, _ body: (borrowing RecordResult) -> Void
        ) {
            let record: BatchInputRecord.InPlace
            switch BatchInputRecord.InPlace.scan(line, lineNumber: lineNumber) {
            case .failure(let failure):
                return body(RecordResult(lineNumber: lineNumber, id: .text(failure.id), error: failure.error))
            case .success(let scanned):
                record = scanned
            }
            let id: RecordResult.Identifier =
                if let span = record.id { .json(UnsafeRawBufferPointer(rebasing: record.line[span])) } else { .lineNumber }
            let mask = batch.maskPhoneNumbers
            do throws(OpenDataError) {
                // The payload is handed over where it is read, not returned through the scopes
                // that decode and decrypt: it refers to the plaintext, which they wipe on the way out.
                try decrypt(record) { (payload: consuming OpenDataPayload.InPlace, key) in
                    if mask { payload = .read(payload.payload.masked()) }
                    body(RecordResult(lineNumber: lineNumber, id: id, payload: payload, key: key))
                }
            } catch {
                body(RecordResult(lineNumber: lineNumber, id: id, error: error))
            }
        }

        /// Decrypts `record` and hands its payload and the key that decrypted it to `deliver`: the
        /// record's key, then its previous key only when the first gave `decryption_failed` (the
        /// ring's rule, see ``SessionKeyRing``). `deliver` is the last thing a successful attempt
        /// does, so nothing can throw after it: the record gets exactly one result.
        private mutating func decrypt(
            _ record: BatchInputRecord.InPlace, _ deliver: (consuming OpenDataPayload.InPlace, SessionKeyRing.Slot) -> Void
        ) throws(OpenDataError) {
            let decryptor = try decryptor(for: record)
            if !isKnownUniquelyReferenced(&cipherContext) { cipherContext = AESCBC.DecryptionContext() }
            let context = cipherContext
            try record.withText(record.sessionKey) { (keyText) throws(OpenDataError) in
                try Base64Decoding.withDecoded(keyText, field: .sessionKey) { (key, _) throws(OpenDataError) in
                    do throws(OpenDataError) {
                        try Self.decrypt(record, with: UnsafeRawBufferPointer(key), decryptor, context) { deliver($0, .current) }
                    } catch {
                        guard error.code == .decryptionFailed, let previous = record.previousSessionKey else { throw error }
                        try record.withText(previous) { (previousText) throws(OpenDataError) in
                            try Base64Decoding.withDecoded(previousText, field: .previousSessionKey) {
                                (previousKey, _) throws(OpenDataError) in
                                // The same key again cannot help; compared in constant time.
                                guard
                                    !SecureMemory.constantTimeEqual(
                                        UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(previousKey))
                                else { throw error }
                                try Self.decrypt(record, with: UnsafeRawBufferPointer(previousKey), decryptor, context) {
                                    deliver($0, .previous)
                                }
                            }
                        }
                    }
                }
            }
        }

        private static func decrypt(
            _ record: BatchInputRecord.InPlace, with key: UnsafeRawBufferPointer, _ decryptor: OpenDataDecryptor,
            _ context: AESCBC.DecryptionContext?, _ deliver: (consuming OpenDataPayload.InPlace) -> Void
        ) throws(OpenDataError) {
            try record.withText(record.iv) { (ivText) throws(OpenDataError) in
                try record.withText(record.encryptedData) { (dataText) throws(OpenDataError) in
                    try decryptor.withVerifiedPlaintext(
                        encryptedDataText: dataText, ivText: ivText, key: key, reusing: context
                    ) {
                        (document) throws(OpenDataError) in
                        deliver(try OpenDataPayload.InPlace(document))
                    }
                }
            }
        }

        /// The default decryptor when the record names no appid or the same one; the kept one when
        /// it names the same appid as the last record that named another; otherwise a new one,
        /// which is kept (or one for the record's own clock, when the batch takes it from records).
        private mutating func decryptor(for record: BatchInputRecord.InPlace) throws(OpenDataError) -> OpenDataDecryptor {
            if batch.freshnessFromRecords, let maximumAge = record.maximumAge {
                return try Self.decryptor(for: record, maximumAge: maximumAge, defaultAppID: batch.defaultAppID)
            }
            guard let span = record.appID else {
                guard let defaultDecryptor = batch.defaultDecryptor else { throw Self.noAppID(record) }
                return defaultDecryptor
            }
            if let decryptor = batch.defaultDecryptor, Self.appID(at: span, in: record.line, is: decryptor) { return decryptor }
            if let decryptor = recordDecryptor, Self.appID(at: span, in: record.line, is: decryptor) { return decryptor }
            let decryptor = try OpenDataDecryptor(appID: JSONUnescape.string(record.line, span), freshness: batch.freshness)
            recordDecryptor = decryptor
            return decryptor
        }

        private static func decryptor(for record: BatchInputRecord.InPlace, maximumAge: JSONValue, defaultAppID: String?)
            throws(OpenDataError) -> OpenDataDecryptor
        {
            let seconds = try PayloadField.int64(maximumAge, field: "max_age")
            guard seconds >= 0 else { throw .invalidRecord(line: record.lineNumber, "max_age must not be negative") }
            let policy: FreshnessPolicy
            if let now = record.now {
                let clock = Date(timeIntervalSince1970: TimeInterval(try PayloadField.int64(now, field: "now")))
                policy = FreshnessPolicy(maximumAge: .seconds(seconds), now: { clock })
            } else {
                policy = FreshnessPolicy(maximumAge: .seconds(seconds))
            }
            guard let appID = record.appID.map({ JSONUnescape.string(record.line, $0) }) ?? defaultAppID else {
                throw noAppID(record)
            }
            return try OpenDataDecryptor(appID: appID, freshness: policy)
        }

        /// Whether the string token at `span` in `line` names `decryptor`'s appid.
        private static func appID(at span: JSONStringSpan, in line: UnsafeRawBufferPointer, is decryptor: OpenDataDecryptor)
            -> Bool
        {
            AppIDFormat.equal(line, span, decryptor.appID)
        }

        private static func noAppID(_ record: BatchInputRecord.InPlace) -> OpenDataError {
            .invalidRecord(line: record.lineNumber, "the record has no appid and no default appid was given", field: "appid")
        }
    }
}
