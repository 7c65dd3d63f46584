/// Re-indents validated JSON for people: two spaces per level, `"key" : value` as
/// Foundation prints it, scalars copied byte for byte.
enum JSONPrettyPrinting {
    static func prettyPrinted(_ json: [UInt8]) -> [UInt8] {
        json.withUnsafeBytes { bytes in
            guard StrictJSONValidator.isValidObject(bytes) else { return json }
            var output: [UInt8] = []
            output.reserveCapacity(json.count * 2)
            write(JSONValue.root(of: bytes), depth: 0, to: &output)
            return output
        }
    }

    private static func indent(_ depth: Int, _ output: inout [UInt8]) {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(0x20, count: depth * 2))
    }

    private static func write(_ value: JSONValue, depth: Int, to output: inout [UInt8]) {
        switch value.kind {
        case .object:
            output.append(UInt8(ascii: "{"))
            var first = true
            value.forEachMember { key, member in
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                indent(depth + 1, &output)
                output.append(contentsOf: value.bytes[(key.start - 1)..<(key.end + 1)])
                output.append(contentsOf: Array(" : ".utf8))
                write(member, depth: depth + 1, to: &output)
            }
            if !first { indent(depth, &output) }
            output.append(UInt8(ascii: "}"))
        case .array:
            output.append(UInt8(ascii: "["))
            var first = true
            value.forEachElement { element in
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                indent(depth + 1, &output)
                write(element, depth: depth + 1, to: &output)
            }
            if !first { indent(depth, &output) }
            output.append(UInt8(ascii: "]"))
        default:
            output.append(contentsOf: value.bytes[value.start..<value.end])
        }
    }
}
