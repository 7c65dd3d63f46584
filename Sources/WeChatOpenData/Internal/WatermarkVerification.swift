/// The check every payload passes before any model reads it: `watermark.appid` is the
/// expected appid and `watermark.timestamp` satisfies the freshness policy, if there is one.
enum WatermarkVerification {
    /// Reads and verifies the `watermark` member of the root object.
    static func verify(
        _ value: JSONValue?, expectedAppID: String, freshness: FreshnessPolicy?
    ) throws(OpenDataError) -> Watermark {
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
        return try verify(appID: appIDValue, timestamp: timestampValue, expectedAppID: expectedAppID, freshness: freshness)
    }

    /// Verifies the watermark's members, wherever they were found (`nil` when missing).
    ///
    /// The appid is compared as bytes first so that the common case reuses the expected
    /// appid's storage instead of allocating a new string. The expected appid and policy are
    /// borrowed from the caller, not copied into a value of their own for each record.
    static func verify(
        appID appIDValue: JSONValue?, timestamp timestampValue: JSONValue?, expectedAppID: String,
        freshness: FreshnessPolicy?
    ) throws(OpenDataError) -> Watermark {
        guard let appIDValue, let appIDSpan = appIDValue.stringSpan else {
            throw .invalidPayload(field: "watermark.appid", appIDValue == nil ? "is missing" : "must be a string")
        }
        let timestamp = try PayloadField.int64(timestampValue, field: "watermark.timestamp")
        guard AppIDFormat.equal(appIDValue.bytes, appIDSpan, expectedAppID) else { throw .appIDMismatch(expected: expectedAppID) }
        let watermark = Watermark(appID: expectedAppID, timestamp: timestamp)
        try freshness?.check(watermark)
        return watermark
    }
}
