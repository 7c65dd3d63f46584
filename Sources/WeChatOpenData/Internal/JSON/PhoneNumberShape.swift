/// The validator's fast path for the payload most records hold: a phone number, laid out exactly
/// as WeChat serialises one,
///
/// ```json
/// {"phoneNumber":"…","purePhoneNumber":"…","countryCode":"…","watermark":{"timestamp":…,"appid":"…"}}
/// ```
///
/// with no whitespace, `countryCode` a string or an integer, `timestamp` an integer, and every
/// string plain: printable ASCII (and DEL) without `"` or `\`. Every document of that shape is
/// strict JSON: its keys are distinct, its strings need no escape or UTF-8 check, its integers
/// have no sign, no leading zero and at most 19 digits. So matching the shape validates the
/// document, byte by byte in one pass, without the general validator's per-token work (about
/// 1,400 instructions fewer for a phone payload). Anything else (another key order, blanks, an
/// escape, non-ASCII text, a fraction) is not matched and goes through the general validator,
/// which decides; a document's verdict and members are the same either way.
enum PhoneNumberShape {
    /// Whether `bytes` has the shape; if so, hands `collector` the members the general validator
    /// would, in its order (an object's nested members before the object itself). Nothing is
    /// collected unless the whole document matches.
    static func matches<Collector: JSONMemberCollector>(
        _ bytes: UnsafeRawBufferPointer, collecting collector: inout Collector
    ) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var cursor = Cursor(base: base, count: bytes.count)
        guard cursor.skip("{\""), let phoneNumberKey = cursor.key("phoneNumber"), let phoneNumber = cursor.value(),
            cursor.skip(",\""), let purePhoneNumberKey = cursor.key("purePhoneNumber"), let purePhoneNumber = cursor.value(),
            cursor.skip(",\""), let countryCodeKey = cursor.key("countryCode"), let countryCode = cursor.value(),
            cursor.skip(",\""), let watermarkKey = cursor.key("watermark")
        else { return false }
        let watermarkStart = cursor.offset  // its {
        guard cursor.skip("{\""), let timestampKey = cursor.key("timestamp"), let timestamp = cursor.value(),
            cursor.skip(",\""), let appIDKey = cursor.key("appid"), let appID = cursor.value(),
            cursor.skip("}}"), cursor.offset == cursor.count
        else { return false }
        func value(_ range: Range<Int>) -> JSONValue {
            JSONValue(bytes: bytes, start: range.lowerBound, end: range.upperBound, stringHasEscapes: false)
        }
        collector.collect(key: phoneNumberKey, value: value(phoneNumber))
        collector.collect(key: purePhoneNumberKey, value: value(purePhoneNumber))
        collector.collect(key: countryCodeKey, value: value(countryCode))
        collector.collectNested(in: watermarkStart, key: timestampKey, value: value(timestamp))
        collector.collectNested(in: watermarkStart, key: appIDKey, value: value(appID))
        collector.collect(key: watermarkKey, value: value(watermarkStart..<cursor.offset - 1))
        return true
    }

    /// A position in the document, and the steps of the shape from there.
    private struct Cursor {
        let base: UnsafeRawPointer
        let count: Int
        var offset = 0

        init(base: UnsafeRawPointer, count: Int) {
            self.base = base
            self.count = count
        }

        @inline(__always)
        private func byte(at offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

        /// Moves past `text` if the document has it here.
        @inline(__always)
        mutating func skip(_ text: StaticString) -> Bool {
            let length = text.utf8CodeUnitCount
            guard count - offset >= length,
                ByteSearch.equal(UnsafeRawBufferPointer(start: base + offset, count: length), sameLengthAs: text)
            else { return false }
            offset += length
            return true
        }

        /// Moves past the key `name` (its opening quote already passed), its closing quote and
        /// the colon; returns the key's span.
        @inline(__always)
        mutating func key(_ name: StaticString) -> JSONStringSpan? {
            let start = offset
            guard skip(name), skip("\":") else { return nil }
            return JSONStringSpan(start: start, end: start + name.utf8CodeUnitCount, hasEscapes: false)
        }

        /// Moves past a plain string or an integer; returns where it starts and ends, as the
        /// validator measures a value (a string's quotes included).
        @inline(__always)
        mutating func value() -> Range<Int>? {
            let start = offset
            guard offset < count else { return nil }
            let first = byte(at: offset)
            if first == UInt8(ascii: "\"") {
                guard let stop = ByteSearch.stringStop(in: base, count: count, from: offset + 1),
                    byte(at: stop) == UInt8(ascii: "\"")
                else { return nil }
                offset = stop + 1
            } else if first == UInt8(ascii: "0") {
                offset += 1
            } else {
                guard first &- UInt8(ascii: "1") < 9 else { return nil }
                repeat { offset += 1 } while offset < count && byte(at: offset) &- UInt8(ascii: "0") < 10
                guard offset - start <= 19 else { return nil }
            }
            // After an integer the shape's next byte must follow (the caller's next `skip`), so
            // no digit, '.', 'e' or sign of a longer number token can.
            return start..<offset
        }
    }
}
