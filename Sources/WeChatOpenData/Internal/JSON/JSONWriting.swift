#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes JSON text straight into a byte buffer: the models' wire form for output,
/// without `JSONEncoder` (which costs microseconds per record).
struct JSONWriter {
    var bytes: [UInt8]
    private var needsComma = false

    init(into bytes: [UInt8] = []) { self.bytes = bytes }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &output) }
    }

    /// The same for UTF-8 bytes. Text with nothing to escape (nearly all) is copied in one piece.
    static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if !needsEscaping(utf8) {
            output.append(contentsOf: utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        var runStart = 0
        for (index, byte) in utf8.enumerated() where isEscaped(byte) {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                output.append(Hex.digits[Int(byte >> 4)])
                output.append(Hex.digits[Int(byte & 0xF)])
            }
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart...]))
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any byte must be escaped.
    private static func needsEscaping(_ utf8: UnsafeRawBufferPointer) -> Bool {
        var escaping = false
        for byte in utf8 { escaping = escaping || isEscaped(byte) }
        return escaping
    }

    /// A quote, a backslash or a control character: written as an escape.
    @inline(__always)
    private static func isEscaped(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C }

    /// Appends the decimal digits of `value`, without making a `String`.
    static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        // 20 digits and a sign hold any Int64.
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { digits in
            var magnitude = value.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { output.append(UInt8(ascii: "-")) }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[start...]))
        }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member: `"key":`.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func member(_ key: StaticString, _ value: String) {
        self.key(key)
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    mutating func member(_ key: StaticString, _ value: Int64) {
        self.key(key)
        Self.appendInteger(value, to: &bytes)
        needsComma = true
    }

    mutating func member(_ key: StaticString, optional value: String?) {
        if let value { member(key, value) }
    }

    /// Appends text that is already JSON.
    mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    /// Appends validated JSON on one line (see `JSONCompacting`).
    mutating func compacted(_ json: UnsafeRawBufferPointer) {
        separate()
        JSONCompacting.append(json, maskingPhoneNumbers: false, to: &bytes)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
