#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Re-encodes validated JSON through an `Encoder`, keeping member order, so that a raw
/// payload can be embedded in other encoded output.
struct RawJSON: Encodable {
    private let json: Data

    init(_ json: Data) { self.json = json }

    func encode(to encoder: any Encoder) throws {
        try json.withUnsafeBytes { bytes in
            guard StrictJSONValidator.isValidObject(bytes) else {
                throw EncodingError.invalidValue(json, .init(codingPath: encoder.codingPath, debugDescription: "not a JSON object"))
            }
            try Self.encode(JSONValue.root(of: bytes), to: encoder)
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Element: Encodable {
        let value: JSONValue
        func encode(to encoder: any Encoder) throws { try RawJSON.encode(value, to: encoder) }
    }

    private static func encode(_ value: JSONValue, to encoder: any Encoder) throws {
        switch value.kind {
        case .object:
            var container = encoder.container(keyedBy: Key.self)
            var failure: (any Error)?
            value.forEachMember { key, member in
                guard failure == nil else { return }
                do {
                    try container.encode(Element(value: member), forKey: Key(stringValue: JSONUnescape.string(value.bytes, key)))
                } catch { failure = error }
            }
            if let failure { throw failure }
        case .array:
            var container = encoder.unkeyedContainer()
            var failure: (any Error)?
            value.forEachElement { element in
                guard failure == nil else { return }
                do { try container.encode(Element(value: element)) } catch { failure = error }
            }
            if let failure { throw failure }
        case .string:
            var container = encoder.singleValueContainer()
            try container.encode(value.string ?? "")
        case .bool:
            var container = encoder.singleValueContainer()
            try container.encode(value.bool ?? false)
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .number:
            var container = encoder.singleValueContainer()
            if let integer = value.int64 {
                try container.encode(integer)
            } else {
                let token = String(decoding: value.numberToken!, as: UTF8.self)
                try container.encode(Double(token) ?? 0)
            }
        }
    }
}
