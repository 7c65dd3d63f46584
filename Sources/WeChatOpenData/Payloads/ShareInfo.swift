/// The payload of `wx.getShareInfo`: which group chat a shared card was opened from.
public struct ShareInfo: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The group's id for this mini program (`openGId`).
    public let openGID: String
    /// The verified watermark.
    public let watermark: Watermark

    /// Creates a share payload, for fixtures and test doubles.
    public init(openGID: String, watermark: Watermark) {
        self.openGID = openGID
        self.watermark = watermark
    }

    /// `ShareInfo(openGId: …)`: a group id is not personal data.
    public var description: String { "ShareInfo(openGId: \(openGID))" }

    enum CodingKeys: String, CodingKey {
        case openGID = "openGId", watermark
    }
}

extension ShareInfo: OpenDataModel {
    static let recognisingKeys: [StaticString] = ["openGId"]

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> ShareInfo {
        ShareInfo(openGID: try PayloadField.string(root.member("openGId"), field: "openGId"), watermark: watermark)
    }

    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        writer.beginObject()
        writer.member("openGId", openGID)
        watermark.write(to: &writer)
        writer.endObject()
    }

    static let csvColumns = ["openGId"]
    func forEachCSVCell(_ body: (String) -> Void) { body(openGID) }
}
