/// Writes JSON text into a growable byte buffer, without `JSONEncoder` (which costs
/// microseconds per record): for JSON written once, not per record (hot paths size their text
/// first and write it into reserved room, see `JSONOutput`).
struct JSONWriter: JSONOutput {
    var bytes: [UInt8]
    var needsComma = false

    init(into bytes: [UInt8] = []) { self.bytes = bytes }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        withContiguousUTF8(text) { utf8 in appendString(utf8, to: &output) }
    }

    /// The same for UTF-8 bytes.
    static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.appendBytes(atMost: ByteCursor.jsonStringBound(utf8.count)) { $0.writeJSONString(utf8) }
    }

    mutating func write(_ byte: UInt8) { bytes.append(byte) }

    mutating func write(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func writeJSONString(_ text: String) { Self.appendString(text, to: &bytes) }

    mutating func writeJSONString(_ utf8: UnsafeRawBufferPointer) { Self.appendString(utf8, to: &bytes) }

    mutating func writeDecimal(_ value: Int64) {
        bytes.appendBytes(atMost: ByteCursor.decimalBound) { $0.writeDecimal(value) }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes) }

    /// Appends text that is already JSON.
    mutating func raw(_ json: String) {
        withContiguousUTF8(json) { writeVerbatim($0) }
    }

    /// Appends validated JSON on one line (see `JSONCompacting`).
    mutating func compacted(_ json: UnsafeRawBufferPointer) {
        separate()
        JSONCompacting.append(json, maskingPhoneNumbers: false, to: &bytes)
        needsComma = true
    }
}
