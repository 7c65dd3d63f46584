/// Writes JSON text straight into a byte buffer: the models' wire form for output,
/// without `JSONEncoder` (which costs microseconds per record).
///
/// Each member is one reservation and unchecked writes (``ByteCursor``): a result line is
/// dozens of small pieces, and appending them one by one cost more than the rest of writing.
struct JSONWriter {
    var bytes: [UInt8]
    private var needsComma = false

    init(into bytes: [UInt8] = []) { self.bytes = bytes }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        withUTF8(of: text) { utf8 in appendString(utf8, to: &output) }
    }

    /// The same for UTF-8 bytes.
    static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.appendBytes(atMost: ByteCursor.jsonStringBound(utf8.count)) { $0.writeJSONString(utf8) }
    }

    /// Calls `body` with the UTF-8 bytes of `text`, borrowed where the string holds them
    /// contiguously (always, for native and small strings): no copy of the string is made.
    @inline(__always)
    static func withUTF8(of text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        let borrowed: Void? = text.utf8.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }
        guard borrowed == nil else { return }
        var text = text
        text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    mutating func beginObject() {
        let comma = needsComma
        bytes.appendBytes(atMost: 2) { cursor in
            if comma { cursor.write(UInt8(ascii: ",")) }
            cursor.write(UInt8(ascii: "{"))
        }
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        member(key, valueBound: 1) { $0.write(UInt8(ascii: "[")) }
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member whose value the next call writes: `"key":`.
    mutating func key(_ key: StaticString) {
        member(key, valueBound: 0) { _ in }
        needsComma = false
    }

    mutating func member(_ key: StaticString, _ value: String) {
        Self.withUTF8(of: value) { utf8 in
            member(key, valueBound: ByteCursor.jsonStringBound(utf8.count)) { $0.writeJSONString(utf8) }
        }
    }

    mutating func member(_ key: StaticString, _ value: Int64) {
        member(key, valueBound: ByteCursor.decimalBound) { $0.writeDecimal(value) }
    }

    mutating func member(_ key: StaticString, optional value: String?) {
        if let value { member(key, value) }
    }

    /// Writes `,"key":` (the comma when a member came before) and the value `write` writes,
    /// in one reservation of room for the punctuation, the key and `valueBound` bytes.
    @inline(__always)
    private mutating func member(_ key: StaticString, valueBound: Int, _ write: (inout ByteCursor) -> Void) {
        let comma = needsComma
        bytes.appendBytes(atMost: key.utf8CodeUnitCount + 4 + valueBound) { cursor in
            if comma { cursor.write(UInt8(ascii: ",")) }
            cursor.write(UInt8(ascii: "\""))
            cursor.write(key)
            cursor.write(#"":"#)
            write(&cursor)
        }
        needsComma = true
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
