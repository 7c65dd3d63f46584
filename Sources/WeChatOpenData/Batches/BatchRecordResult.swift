extension BatchDecryptor {
    /// The result of one record line, lent to the closure of
    /// ``Worker/decrypt(line:lineNumber:_:)``.
    ///
    /// It refers to the line's bytes (the record's id is echoed from them), so it cannot be
    /// copied or kept: read it, write it out, and let it go when the closure returns.
    // Sendable although it holds a pointer: the bytes are only read, and a borrowed
    // non-copyable value cannot leave the call that lends it.
    public struct RecordResult: ~Copyable, @unchecked Sendable {
        /// Where the id comes from.
        enum Identifier {
            /// The record has none: the line number stands in.
            case lineNumber
            /// The record's own `id` value, as JSON from the line.
            case json(UnsafeRawBufferPointer)
            /// The id already on one line, for a record that could not be read in full.
            case text(String)
        }

        /// The 1-based line number the record was given.
        public let lineNumber: Int
        /// The verified payload, lent with the plaintext it may still refer to.
        let verified: OpenDataPayload.InPlace?
        /// The verified payload; `nil` when the record failed.
        ///
        /// Made on each access: a phone number's or a user profile's text is copied out of the
        /// plaintext then. To write the payload out, ``appendPayloadJSON(to:)`` does it from the
        /// plaintext.
        public var payload: OpenDataPayload? { verified?.payload }
        /// Which key decrypted the record; `nil` when it failed.
        public let key: SessionKeyRing.Slot?
        /// Why the record failed; `nil` when it decrypted.
        public let error: OpenDataError?
        let id: Identifier

        /// The payload or the error, as one value (the payload made as ``payload`` makes it).
        public var outcome: Outcome {
            if let payload, let key { return .decrypted(payload, key: key) }
            return .failed(error ?? .decryptionFailed)
        }

        init(lineNumber: Int, id: Identifier, payload: consuming OpenDataPayload.InPlace, key: SessionKeyRing.Slot) {
            self.lineNumber = lineNumber
            self.id = id
            verified = payload
            self.key = key
            error = nil
        }

        init(lineNumber: Int, id: Identifier, error: OpenDataError) {
            self.lineNumber = lineNumber
            self.id = id
            verified = nil
            key = nil
            self.error = error
        }

        /// Appends the payload as compact JSON, exactly as ``OpenDataPayload/appendJSON(to:)``
        /// writes ``payload``, but straight from the plaintext: a phone number's or a user
        /// profile's text is never copied into `String`s. Appends nothing for a record that failed.
        ///
        /// - Parameter output: The buffer to append to.
        public func appendPayloadJSON(to output: inout [UInt8]) {
            verified?.appendJSON(to: &output)
        }

        /// Appends the record's id as JSON on one line: its own `id`, of any JSON type,
        /// re-serialised without whitespace (a raw CR or newline between an array's elements
        /// must not split a result line), or the line number when it has none.
        ///
        /// - Parameter output: The buffer to append to.
        public func appendID(to output: inout [UInt8]) {
            switch id {
            case .lineNumber: output.appendBytes(atMost: ByteCursor.decimalBound) { $0.writeDecimal(Int64(lineNumber)) }
            case .text(let text): output.append(contentsOf: text.utf8)
            case .json(let json):
                // Only objects and arrays can hold whitespace; strings and numbers are copied.
                if json.first == UInt8(ascii: "{") || json.first == UInt8(ascii: "[") {
                    JSONCompacting.append(json, maskingPhoneNumbers: false, to: &output)
                } else {
                    output.appendBytes(atMost: json.count) { $0.write(json) }
                }
            }
        }

        /// Appends the record's id as text, for formats without JSON types (CSV): a string id as
        /// its value, unescaped; any other id as ``appendID(to:)`` writes it.
        ///
        /// - Parameter output: The buffer to append to.
        public func appendIDText(to output: inout [UInt8]) {
            let quote = UInt8(ascii: "\"")
            switch id {
            case .json(let json) where json.first == quote:
                output.append(contentsOf: Self.unquoted(json).utf8)
            case .text(var text) where text.utf8.first == quote:
                output.append(contentsOf: text.withUTF8 { Self.unquoted(UnsafeRawBufferPointer($0)) }.utf8)
            default:
                appendID(to: &output)
            }
        }

        /// The value of a JSON string token, quotes included in `token`.
        private static func unquoted(_ token: UnsafeRawBufferPointer) -> String {
            guard token.count >= 2 else { return String(decoding: token, as: UTF8.self) }
            return JSONUnescape.string(
                token, JSONStringSpan(start: 1, end: token.count - 1, hasEscapes: token.contains(UInt8(ascii: "\\"))))
        }
    }
}
