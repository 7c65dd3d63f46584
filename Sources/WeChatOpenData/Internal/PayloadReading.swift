/// What every payload parse needs besides the JSON: the expected appid and the
/// freshness policy, applied as soon as the watermark is found.
struct PayloadContext {
    let expectedAppID: String
    let freshness: FreshnessPolicy?

    /// Reads and verifies the `watermark` member of the root object.
    ///
    /// The appid is compared as bytes first so that the common case reuses the expected
    /// appid's storage instead of allocating a new string.
    func verifiedWatermark(_ value: JSONValue?) throws(OpenDataError) -> Watermark {
        guard let value else { throw .invalidPayload(field: "watermark", "is missing") }
        guard value.kind == .object else { throw .invalidPayload(field: "watermark", "must be an object, got \(value.kindName)") }
        var appIDValue: JSONValue?
        var timestampValue: JSONValue?
        value.forEachMember { key, member in
            if key.is("appid", in: value.bytes) {
                appIDValue = member
            } else if key.is("timestamp", in: value.bytes) {
                timestampValue = member
            }
        }
        guard let appIDSpan = appIDValue?.stringSpan else {
            throw .invalidPayload(field: "watermark.appid", appIDValue == nil ? "is missing" : "must be a string")
        }
        let timestamp = try PayloadField.int64(timestampValue, field: "watermark.timestamp")
        var expected = expectedAppID
        let matches = expected.withUTF8 { JSONUnescape.equal(value.bytes, appIDSpan, UnsafeRawBufferPointer($0)) }
        guard matches else { throw .appIDMismatch(expected: expectedAppID) }
        let watermark = Watermark(appID: expectedAppID, timestamp: timestamp)
        try freshness?.check(watermark)
        return watermark
    }
}

extension JSONStringSpan {
    /// Whether this key is `name`.
    func `is`(_ name: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        JSONUnescape.equal(bytes, self, UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }
}

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

/// The library's own models parse themselves straight from the validated bytes. The
/// pipeline has verified the watermark before a model's reader runs and hands it over, so
/// no model can skip the check.
protocol OpenDataModelParsing: Sendable {
    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> Self
}
