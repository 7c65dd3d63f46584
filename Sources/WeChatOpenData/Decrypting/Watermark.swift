#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The `watermark` WeChat puts into every open-data payload: which mini program the data
/// was produced for, and when.
///
/// ``OpenDataDecryptor`` checks ``appID`` against the appid it was created with, and
/// ``timestamp`` against its ``FreshnessPolicy`` when it has one.
public struct Watermark: Sendable, Hashable, Codable {
    /// The appid of the mini program the data was encrypted for (`watermark.appid`).
    public let appID: String

    /// When WeChat produced the data, in seconds since 1970 (`watermark.timestamp`).
    public let timestamp: Int64

    /// Creates a watermark, for building fixtures.
    ///
    /// - Parameters:
    ///   - appID: The mini program's appid.
    ///   - timestamp: Seconds since 1970.
    public init(appID: String, timestamp: Int64) {
        self.appID = appID
        self.timestamp = timestamp
    }

    /// ``timestamp`` as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }

    enum CodingKeys: String, CodingKey {
        case timestamp
        case appID = "appid"
    }
}

extension Watermark {
    /// Writes the `"watermark"` member in WeChat's order.
    @inline(__always)
    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        writer.key("watermark")
        writer.beginObject()
        writer.member("timestamp", timestamp)
        writer.member("appid", appID)
        writer.endObject()
    }
}
