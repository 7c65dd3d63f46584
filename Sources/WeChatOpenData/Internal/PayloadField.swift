/// Typed reads of payload members, with errors that name the field but never its value.
enum PayloadField {
    static func string(_ value: JSONValue?, field: String) throws(OpenDataError) -> String {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        guard let string = value.string else { throw .invalidPayload(field: field, "must be a string, got \(value.kindName)") }
        return string
    }

    static func optionalString(_ value: JSONValue?, field: String) throws(OpenDataError) -> String? {
        guard let value, value.kind != .null else { return nil }
        return try string(value, field: field)
    }

    static func int64(_ value: JSONValue?, field: String) throws(OpenDataError) -> Int64 {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        guard value.kind == .number else { throw .invalidPayload(field: field, "must be an integer, got \(value.kindName)") }
        guard let integer = value.int64 else { throw .invalidPayload(field: field, "must be an integer in the 64-bit range") }
        return integer
    }

    static func int(_ value: JSONValue?, field: String) throws(OpenDataError) -> Int {
        let integer = try int64(value, field: field)
        guard let result = Int(exactly: integer) else { throw .invalidPayload(field: field, "is out of range") }
        return result
    }

    /// A string, or a number whose token is taken as its text (WeChat has sent
    /// `countryCode` both ways).
    static func stringOrInteger(_ value: JSONValue?, field: String) throws(OpenDataError) -> String {
        guard let value else { throw .invalidPayload(field: field, "is missing") }
        if value.kind == .number, value.int64 != nil, let token = value.numberToken {
            return String(decoding: token, as: UTF8.self)
        }
        guard let string = value.string else {
            throw .invalidPayload(field: field, "must be a string or an integer, got \(value.kindName)")
        }
        return string
    }
}
