/// A read-only view of one value inside a document that `StrictJSONValidator` accepted.
///
/// The validator has proved the document well formed, so the readers here only skip
/// and convert; they never need to report syntax errors.
struct JSONValue {
    enum Kind { case object, array, string, number, bool, null }

    let bytes: UnsafeRawBufferPointer
    /// The offset of the value's first byte.
    let start: Int
    /// The offset just past the value when it was measured (by the validator, or as its object
    /// was read), else -1 (found by skipping when asked for).
    let knownEnd: Int
    /// For a string whose end was recorded: whether it has escapes.
    let knownEscapes: Bool
    /// For an object the validator indexed (the root, and the objects that are its members):
    /// its members, so that no reader scans it again.
    private let index: JSONMemberIndex?

    init(bytes: UnsafeRawBufferPointer, start: Int) {
        self.bytes = bytes
        self.start = start
        knownEnd = -1
        knownEscapes = false
        index = nil
    }

    /// A value whose extent the validator recorded.
    init(bytes: UnsafeRawBufferPointer, start: Int, end: Int, stringHasEscapes: Bool) {
        self.bytes = bytes
        self.start = start
        knownEnd = end
        knownEscapes = stringHasEscapes
        index = nil
    }

    /// A measured value with the validator's index, read for the members whose parent is
    /// `index.parent` (when the value is an object and the index is complete).
    fileprivate init(bytes: UnsafeRawBufferPointer, start: Int, end: Int, stringHasEscapes: Bool, index: JSONMemberIndex) {
        self.bytes = bytes
        self.start = start
        knownEnd = end
        knownEscapes = stringHasEscapes
        self.index = index.isComplete ? index : nil
    }

    var kind: Kind {
        switch bytes[start] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// A name for the kind, for error reasons.
    var kindName: String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The top-level object of a validated document.
    static func root(of bytes: UnsafeRawBufferPointer) -> JSONValue {
        var index = 0
        while bytes[index] != UInt8(ascii: "{") { index += 1 }
        return JSONValue(bytes: bytes, start: index)
    }

    /// The same, with the member index the validator made of it.
    static func root(of bytes: UnsafeRawBufferPointer, index: JSONMemberIndex) -> JSONValue {
        JSONValue(bytes: bytes, start: root(of: bytes).start, end: -1, stringHasEscapes: false, index: index)
    }

    // MARK: Scalars

    /// A string's content span; for a measured value (the common case), without a call.
    @inline(__always)
    var stringSpan: JSONStringSpan? {
        guard bytes[start] == UInt8(ascii: "\"") else { return nil }
        if knownEnd >= 0 { return JSONStringSpan(start: start + 1, end: knownEnd - 1, hasEscapes: knownEscapes) }
        return Self.scannedStringSpan(bytes, start: start)
    }

    private static func scannedStringSpan(_ bytes: UnsafeRawBufferPointer, start: Int) -> JSONStringSpan {
        let (end, hasEscapes) = ByteSearch.closingQuote(in: bytes, contentStart: start + 1)
        return JSONStringSpan(start: start + 1, end: end, hasEscapes: hasEscapes)
    }

    var string: String? { stringSpan.map { JSONUnescape.string(bytes, $0) } }

    /// The raw text of a number token.
    var numberToken: UnsafeRawBufferPointer? {
        guard kind == .number else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The value of an integer token (no fraction or exponent) that fits in `Int64`.
    var int64: Int64? {
        guard let token = numberToken else { return nil }
        // Up to 18 digits cannot overflow: no checks per digit (timestamps have 10).
        let negative = token.first == UInt8(ascii: "-")
        let digits = negative ? token.count - 1 : token.count
        if digits > 0 && digits <= 18 {
            var value: Int64 = 0
            for index in (negative ? 1 : 0)..<token.count {
                let digit = token[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
            }
            return negative ? -value : value
        }
        return Self.checkedInt64(token)
    }

    private static func checkedInt64(_ token: UnsafeRawBufferPointer) -> Int64? {
        var negative = false
        var value: Int64 = 0
        for (position, byte) in token.enumerated() {
            if position == 0 && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA && !overflowB else { return nil }
            value = next
        }
        return value
    }

    var bool: Bool? {
        guard kind == .bool else { return nil }
        return bytes[start] == UInt8(ascii: "t")
    }

    // MARK: Containers

    /// The offset just past the value.
    var end: Int { knownEnd >= 0 ? knownEnd : Self.skip(bytes, from: start) }

    /// Calls `body` with each member of an object, in document order.
    func forEachMember<Failure: Error>(
        _ body: (JSONStringSpan, JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        guard kind == .object else { return }
        if let index {
            for entry in index.entries[0..<index.count] where entry.parent == index.parent {
                try body(entry.key, index.value(of: entry, in: bytes))
            }
            return
        }
        var index = Self.skipWhitespace(bytes, from: start + 1)
        while bytes[index] != UInt8(ascii: "}") {
            let key = JSONValue(bytes: bytes, start: index).stringSpan!
            index = Self.skipWhitespace(bytes, from: key.end + 1)
            index = Self.skipWhitespace(bytes, from: index + 1)  // :
            let value = Self.measured(bytes, from: index)
            try body(key, value)
            index = Self.skipWhitespace(bytes, from: value.knownEnd)
            if bytes[index] == UInt8(ascii: ",") { index = Self.skipWhitespace(bytes, from: index + 1) }
        }
    }

    /// The value at `start` with its end found once, so that reading it does not scan it again.
    private static func measured(_ bytes: UnsafeRawBufferPointer, from start: Int) -> JSONValue {
        guard bytes[start] == UInt8(ascii: "\"") else {
            return JSONValue(bytes: bytes, start: start, end: skip(bytes, from: start), stringHasEscapes: false)
        }
        let (end, hasEscapes) = ByteSearch.closingQuote(in: bytes, contentStart: start + 1)
        return JSONValue(bytes: bytes, start: start, end: end + 1, stringHasEscapes: hasEscapes)
    }

    /// Calls `body` with each element of an array, in order.
    func forEachElement<Failure: Error>(_ body: (JSONValue) throws(Failure) -> Void) throws(Failure) {
        guard kind == .array else { return }
        var index = Self.skipWhitespace(bytes, from: start + 1)
        while bytes[index] != UInt8(ascii: "]") {
            let value = Self.measured(bytes, from: index)
            try body(value)
            index = Self.skipWhitespace(bytes, from: value.knownEnd)
            if bytes[index] == UInt8(ascii: ",") { index = Self.skipWhitespace(bytes, from: index + 1) }
        }
    }

    /// The first non-`nil` answer of `body` for the object's keys, in document order; `body` is
    /// not called for the keys after it.
    func firstMemberKey<Answer>(_ body: (JSONStringSpan) -> Answer?) -> Answer? {
        guard let index else {
            var answer: Answer?
            forEachMember { key, _ in if answer == nil { answer = body(key) } }
            return answer
        }
        guard kind == .object else { return nil }
        for entry in index.entries[0..<index.count] where entry.parent == index.parent {
            if let answer = body(entry.key) { return answer }
        }
        return nil
    }

    /// The members named `names`, found in one pass over the object: the one way models
    /// collect their fields. Keys are unique in a validated document.
    func members<let count: Int>(_ names: InlineArray<count, StaticString>) -> InlineArray<count, JSONValue?> {
        var found = InlineArray<count, JSONValue?>(repeating: nil)
        if let index {
            // The validator's index, read in place: a value is made only for a member asked for.
            for entry in index.entries[0..<index.count] where entry.parent == index.parent {
                for position in names.indices where entry.key.is(names[position], in: bytes) {
                    found[position] = index.value(of: entry, in: bytes)
                    break
                }
            }
            return found
        }
        forEachMember { key, value in
            for position in names.indices where key.is(names[position], in: bytes) {
                found[position] = value
                return
            }
        }
        return found
    }

    /// The member named `key`, if the value is an object that has it: the first found, since
    /// keys are unique in a validated document.
    func member(_ key: StaticString) -> JSONValue? {
        guard let index else {
            var found: JSONValue?
            forEachMember { name, value in if found == nil, name.is(key, in: bytes) { found = value } }
            return found
        }
        for entry in index.entries[0..<index.count] where entry.parent == index.parent && entry.key.is(key, in: bytes) {
            return index.value(of: entry, in: bytes)
        }
        return nil
    }

    // MARK: Skipping

    static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }

    static func skip(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString(bytes, from: index)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index = skipString(bytes, from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
            } while depth > 0
            return index
        default:
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    return index
                default: index += 1
                }
            }
            return index
        }
    }

    private static func skipString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        ByteSearch.closingQuote(in: bytes, contentStart: start + 1).end + 1
    }
}

extension JSONStringSpan {
    /// Whether this key is `name`.
    @inline(__always)
    func `is`(_ name: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        // Most keys differ in length from the name and have no escapes: settled without a call.
        if !hasEscapes && end - start != name.utf8CodeUnitCount { return false }
        return JSONUnescape.equal(bytes, self, UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}

/// Receives the members of the top-level object as the validator passes over them: how a
/// document is validated and read in one pass.
protocol JSONMemberCollector {
    /// Called for each top-level member, in document order, once its value is validated.
    mutating func collect(key: JSONStringSpan, value: JSONValue)

    /// Called for each member of an object that is itself a top-level member's value (such as
    /// `watermark`), once its value is validated; `parent` is that object's offset.
    mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue)
}

extension JSONMemberCollector {
    /// Most collectors want the top level only.
    @inline(__always)
    mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue) {}
}

/// Collects nothing: validation alone.
struct NoMemberCollector: JSONMemberCollector {
    @inline(__always)
    func collect(key: JSONStringSpan, value: JSONValue) {}
}

/// The members of a validated object and of the objects that are its members' values, recorded
/// in storage the caller provides (on the stack), so that readers look a member up instead of
/// scanning an object again. A document with more such members than the storage holds is read
/// by scanning, as without an index.
struct JSONMemberIndex: JSONMemberCollector {
    struct Entry {
        let key: JSONStringSpan
        let valueStart: Int
        let valueEnd: Int
        /// The offset of the object the member is in; -1 for the top level.
        let parent: Int
        let stringHasEscapes: Bool
    }

    /// How many members the storage made by ``withStorage(_:)`` holds: more than any payload
    /// WeChat sends has, and few enough that the storage stays on the stack
    /// (`withUnsafeTemporaryAllocation` goes to the heap past 1 KiB).
    static let capacity = 16

    let entries: UnsafeMutableBufferPointer<Entry>
    /// The members seen, including any past the storage's capacity.
    private(set) var count = 0
    /// Whose members a value holding this index reads: -1 (the top level) or an object's offset.
    fileprivate var parent = -1

    var isComplete: Bool { count <= entries.count }

    /// Calls `body` with an empty index on uninitialised stack storage (entries are trivial).
    static func withStorage<Result>(
        _ body: (inout JSONMemberIndex) throws(OpenDataError) -> Result
    ) throws(OpenDataError) -> Result {
        let outcome = withUnsafeTemporaryAllocation(of: Entry.self, capacity: capacity) {
            storage -> Swift.Result<Result, OpenDataError> in
            var index = JSONMemberIndex(entries: storage)
            do throws(OpenDataError) {
                return .success(try body(&index))
            } catch {
                return .failure(error)
            }
        }
        return try unwrap(outcome)
    }

    private init(entries: UnsafeMutableBufferPointer<Entry>) { self.entries = entries }

    /// The validator hands over measured values: their end and escapes are read, not scanned.
    mutating func collect(key: JSONStringSpan, value: JSONValue) { record(key, value, in: -1) }

    mutating func collectNested(in parent: Int, key: JSONStringSpan, value: JSONValue) { record(key, value, in: parent) }

    private mutating func record(_ key: JSONStringSpan, _ value: JSONValue, in parent: Int) {
        if count < entries.count {
            entries.initializeElement(
                at: count,
                to: Entry(
                    key: key, valueStart: value.start, valueEnd: value.knownEnd, parent: parent,
                    stringHasEscapes: value.knownEscapes))
        }
        count += 1
    }

    /// The value of `entry`. A top-level member's object reads its own members from this index;
    /// a deeper one was not indexed, and is read by scanning.
    fileprivate func value(of entry: Entry, in bytes: UnsafeRawBufferPointer) -> JSONValue {
        guard entry.parent == -1 else {
            return JSONValue(
                bytes: bytes, start: entry.valueStart, end: entry.valueEnd, stringHasEscapes: entry.stringHasEscapes)
        }
        var members = self
        members.parent = entry.valueStart
        return JSONValue(
            bytes: bytes, start: entry.valueStart, end: entry.valueEnd, stringHasEscapes: entry.stringHasEscapes,
            index: members)
    }
}
