/// The payload of `wx.getGroupEnterInfo` (and the chat tool's `wx.getChatToolInfo`): the
/// chat a mini program was opened from.
///
/// A group chat carries ``openGID``, a one-to-one chat ``openSingleRoomID``; at least one
/// of the two is present.
public struct GroupEnterInfo: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The group chat's id for this mini program (`opengid`).
    public let openGID: String?
    /// The one-to-one chat's id for this mini program (`open_single_roomid`).
    public let openSingleRoomID: String?
    /// The user's id within this chat (`group_openid`).
    public let groupOpenID: String?
    /// The kind of chat (`chat_type`): 1 WeChat one-to-one, 2 WeCom one-to-one, 3 WeChat group, 4 WeCom group.
    public let chatType: Int?
    /// The verified watermark.
    public let watermark: Watermark

    /// Creates a group-enter payload, for fixtures and test doubles.
    public init(
        openGID: String?, openSingleRoomID: String? = nil, groupOpenID: String? = nil, chatType: Int? = nil,
        watermark: Watermark
    ) {
        self.openGID = openGID
        self.openSingleRoomID = openSingleRoomID
        self.groupOpenID = groupOpenID
        self.chatType = chatType
        self.watermark = watermark
    }

    /// `GroupEnterInfo(chat_type: 3)`.
    public var description: String { "GroupEnterInfo(chat_type: \(chatType.map(String.init) ?? "none"))" }

    enum CodingKeys: String, CodingKey {
        case openGID = "opengid", openSingleRoomID = "open_single_roomid", groupOpenID = "group_openid"
        case chatType = "chat_type", watermark
    }
}

extension GroupEnterInfo: OpenDataModel {
    static let recognisingKeys: [StaticString] = ["opengid", "open_single_roomid"]

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> GroupEnterInfo {
        let fields = root.members(["opengid", "open_single_roomid", "group_openid", "chat_type"])
        let openGID = try PayloadField.optionalString(fields[0], field: "opengid")
        let roomID = try PayloadField.optionalString(fields[1], field: "open_single_roomid")
        guard openGID != nil || roomID != nil else {
            throw .invalidPayload(field: "opengid", "is missing (and so is open_single_roomid)")
        }
        let chatType: Int? =
            fields[3] == nil || fields[3]?.kind == .null ? nil : try PayloadField.int(fields[3], field: "chat_type")
        return GroupEnterInfo(
            openGID: openGID,
            openSingleRoomID: roomID,
            groupOpenID: try PayloadField.optionalString(fields[2], field: "group_openid"),
            chatType: chatType,
            watermark: watermark
        )
    }

    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        writer.beginObject()
        writer.member("opengid", optional: openGID)
        writer.member("open_single_roomid", optional: openSingleRoomID)
        writer.member("group_openid", optional: groupOpenID)
        if let chatType { writer.member("chat_type", Int64(chatType)) }
        watermark.write(to: &writer)
        writer.endObject()
    }

    /// The group id, or the single chat's room id.
    static let csvColumns = ["opengid"]
    func forEachCSVCell(_ body: (String) -> Void) { body(openGID ?? openSingleRoomID ?? "") }
}
