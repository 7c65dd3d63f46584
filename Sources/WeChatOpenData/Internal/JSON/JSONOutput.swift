/// Where JSON text goes: a growable buffer (`JSONWriter`), room reserved beforehand
/// (`ByteCursor`), or only a count of the most it can take (`JSONLength`). A model writes
/// itself once, generically, and the same code both sizes its text and writes it: the output
/// of `decrypt-file` is sized first, then written in one reservation.
protocol JSONOutput: ~Copyable {
    /// Whether a member or element was written since the enclosing object or array began.
    var needsComma: Bool { get set }
    mutating func write(_ byte: UInt8)
    mutating func write(_ literal: StaticString)
    /// Writes `text` as a string literal, quotes included, escaped as JSON requires.
    mutating func writeJSONString(_ text: String)
    /// The same for UTF-8 bytes.
    mutating func writeJSONString(_ utf8: UnsafeRawBufferPointer)
    /// Writes the decimal digits of `value`.
    mutating func writeDecimal(_ value: Int64)
    /// Writes `bytes` as they are.
    mutating func write(_ bytes: UnsafeRawBufferPointer)
}

extension JSONOutput where Self: ~Copyable {
    mutating func beginObject() {
        separate()
        write(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        write(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        self.key(key)
        write(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        write(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member whose value the next call writes: `"key":`.
    @inline(__always)
    mutating func key(_ key: StaticString) {
        separate()
        write(UInt8(ascii: "\""))
        write(key)
        write(#"":"#)
        needsComma = false
    }

    @inline(__always)
    mutating func member(_ key: StaticString, _ value: Int64) {
        self.key(key)
        writeDecimal(value)
        needsComma = true
    }

    /// A string member: text a model holds (`String`) or still reads from the plaintext.
    @inline(__always)
    mutating func member(_ key: StaticString, _ value: some JSONStringValue) {
        self.key(key)
        value.writeJSONString(to: &self)
        needsComma = true
    }

    mutating func member(_ key: StaticString, optional value: String?) {
        if let value { member(key, value) }
    }

    /// A value whose JSON text is already in hand, byte for byte as the model would write it.
    @inline(__always)
    mutating func writeVerbatim(_ json: UnsafeRawBufferPointer) {
        separate()
        write(json)
        needsComma = true
    }

    @inline(__always)
    mutating func separate() {
        if needsComma { write(UInt8(ascii: ",")) }
    }
}

/// The most bytes a `JSONOutput` would take: exact for keys and punctuation, a bound for
/// values (each string byte may become a six-byte escape).
struct JSONLength: JSONOutput {
    private(set) var count = 0
    var needsComma = false

    // Wrapping arithmetic, which lets the compiler fold a model's constant parts into one
    // addition: the counts are of bytes in memory, far from overflowing.
    @inline(__always) mutating func write(_ byte: UInt8) { count &+= 1 }
    @inline(__always) mutating func write(_ literal: StaticString) { count &+= literal.utf8CodeUnitCount }
    @inline(__always) mutating func writeJSONString(_ text: String) {
        count &+= ByteCursor.jsonStringBound(text.utf8.count)
    }
    @inline(__always) mutating func writeJSONString(_ utf8: UnsafeRawBufferPointer) {
        count &+= ByteCursor.jsonStringBound(utf8.count)
    }
    @inline(__always) mutating func writeDecimal(_ value: Int64) { count &+= ByteCursor.decimalBound }
    @inline(__always) mutating func write(_ bytes: UnsafeRawBufferPointer) { count &+= bytes.count }
}

/// Text that a model writes as a JSON string: a `String` it holds, or a member it has not
/// copied out of the plaintext (`PayloadText`). A model's writer takes either, so that one
/// function defines its wire form for both.
protocol JSONStringValue {
    func writeJSONString<Output: JSONOutput & ~Copyable>(to output: inout Output)
}

extension String: JSONStringValue {
    @inline(__always)
    func writeJSONString<Output: JSONOutput & ~Copyable>(to output: inout Output) { output.writeJSONString(self) }
}

/// A value with a JSON form of its own: each model.
protocol JSONWritable {
    func write<Output: JSONOutput & ~Copyable>(to output: inout Output)
}

extension [UInt8] {
    /// Appends `value`'s JSON: sized by a first run of its writer into a `JSONLength`, then
    /// written by a second into that much reserved room.
    mutating func appendJSON(_ value: some JSONWritable) {
        var length = JSONLength()
        value.write(to: &length)
        appendBytes(atMost: length.count) { value.write(to: &$0) }
    }
}
