/// A JSON object flattened to its leaves, keyed by path (`watermark.appid`,
/// `stepInfoList[3].step`): how an answer's `data` is compared with the plaintext sent.
struct JSONLeaves {
    enum Leaf: Sendable {
        case string(String)
        /// The number's token, as written.
        case number(String)
        case bool(Bool)
        case null
        case emptyObject
        case emptyArray
    }

    private(set) var leaves: [(path: String, leaf: Leaf)] = []

    /// The leaves of one strict JSON object; `nil` when `bytes` is not one.
    init?(object bytes: UnsafeRawBufferPointer) {
        guard StrictJSONValidator.isValidObject(bytes) else { return nil }
        collect(JSONValue.root(of: bytes), path: "")
    }

    init?(object text: String) {
        var text = text
        guard let leaves = text.withUTF8({ JSONLeaves(object: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = leaves
    }

    /// The leaves of an object member that is itself an object (an answer's `data`).
    init(_ value: JSONValue) { collect(value, path: "") }

    private mutating func collect(_ value: JSONValue, path: String) {
        switch value.kind {
        case .object:
            var empty = true
            value.forEachMember { key, member in
                empty = false
                let name = JSONUnescape.string(value.bytes, key)
                collect(member, path: path.isEmpty ? name : path + "." + name)
            }
            if empty { leaves.append((path, .emptyObject)) }
        case .array:
            var index = 0
            value.forEachElement { element in
                collect(element, path: "\(path)[\(index)]")
                index += 1
            }
            if index == 0 { leaves.append((path, .emptyArray)) }
        case .string: leaves.append((path, .string(value.string ?? "")))
        case .number: leaves.append((path, .number(String(decoding: value.numberToken!, as: UTF8.self))))
        case .bool: leaves.append((path, .bool(value.bool!)))
        case .null: leaves.append((path, .null))
        }
    }

    /// The paths of `expected` whose leaf is missing here or differs.
    func differences(from expected: JSONLeaves) -> [String] {
        var mine: [String: Leaf] = [:]
        for (path, leaf) in leaves { mine[path] = leaf }
        return expected.leaves.compactMap { path, leaf in Self.matches(leaf, mine[path]) ? nil : path }
    }

    /// Strings compare byte for byte (no Unicode normalisation); numbers by value; a number and
    /// a string of the same integer are equal, since libraries normalise `countryCode` either way;
    /// an expected `null` matches a missing member.
    static func matches(_ expected: Leaf, _ got: Leaf?) -> Bool {
        switch (expected, got) {
        case (.null, nil), (.null, .null?), (.emptyObject, .emptyObject?), (.emptyArray, .emptyArray?): return true
        case (.string(let left), .string(let right)?): return left.utf8.elementsEqual(right.utf8)
        case (.bool(let left), .bool(let right)?): return left == right
        case (.number(let left), .number(let right)?): return numbersEqual(left, right)
        case (.number(let number), .string(let text)?), (.string(let text), .number(let number)?):
            guard let integer = Int64(text), let value = Int64(number) else { return false }
            return integer == value
        default: return false
        }
    }

    private static func numbersEqual(_ left: String, _ right: String) -> Bool {
        if left == right { return true }
        if let leftInteger = Int64(left), let rightInteger = Int64(right) { return leftInteger == rightInteger }
        guard let leftValue = Double(left), let rightValue = Double(right) else { return false }
        return leftValue == rightValue
    }

    /// The identifiers in a plaintext that no error message may repeat: phone numbers,
    /// openIds and unionIds.
    static func identifiers(in plaintext: String) -> [String] {
        let names: Set<String> = ["phoneNumber", "purePhoneNumber", "openId", "unionId"]
        return (JSONLeaves(object: plaintext)?.leaves ?? []).compactMap { path, leaf in
            guard case .string(let value) = leaf, names.contains(String(path.split(separator: ".").last ?? "")) else {
                return nil
            }
            return value
        }
    }
}
