/// The payload of `wx.getUserInfo` (and `open-type="getUserInfo"`) in the legacy flow.
///
/// Since 2021 WeChat returns an anonymous profile here (nickname `微信用户`, gender 0, empty
/// places and language) unless the user filled in a profile; the fields are present either
/// way. Payloads of `wx.getUserProfile` carry no `openId` and no `unionId`.
/// `description` shows no personal data.
public struct UserInfo: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The user's openid for this mini program (`openId`), when the payload carries it.
    ///
    /// `wx.getUserInfo` payloads carry it; profiles from `wx.getUserProfile` (since 2021) do
    /// not: take the openid from `jscode2session` instead.
    public let openID: String?
    /// The nickname, which may contain any Unicode, emoji included (`nickName`).
    public let nickName: String
    /// The gender WeChat reports.
    public let gender: Gender
    /// The language of the user's WeChat client (`zh_CN`, `en`, …).
    public let language: String
    /// The city of the profile, possibly empty.
    public let city: String
    /// The province of the profile, possibly empty.
    public let province: String
    /// The country of the profile, possibly empty.
    public let country: String
    /// The avatar image URL (`avatarUrl`), possibly empty.
    public let avatarURL: String
    /// The unionid, present when the mini program is bound to an Open Platform account (`unionId`).
    public let unionID: String?
    /// The verified watermark.
    public let watermark: Watermark

    /// Creates a user info payload, for fixtures and test doubles.
    public init(
        openID: String?, nickName: String, gender: Gender, language: String, city: String, province: String,
        country: String, avatarURL: String, unionID: String? = nil, watermark: Watermark
    ) {
        self.openID = openID
        self.nickName = nickName
        self.gender = gender
        self.language = language
        self.city = city
        self.province = province
        self.country = country
        self.avatarURL = avatarURL
        self.unionID = unionID
        self.watermark = watermark
    }

    /// `UserInfo(redacted)`: profiles are personal data and stay out of logs.
    public var description: String { "UserInfo(redacted, appid: \(watermark.appID))" }

    enum CodingKeys: String, CodingKey {
        case openID = "openId", nickName, gender, language, city, province, country
        case avatarURL = "avatarUrl", unionID = "unionId", watermark
    }

    /// The gender field of a profile: 0 unknown, 1 male, 2 female. Other values are kept as they came.
    public struct Gender: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The number WeChat sent.
        public let rawValue: Int
        /// Creates a gender from the number WeChat sent.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// 0: not set, or an anonymous profile.
        public static let unknown = Gender(rawValue: 0)
        /// 1.
        public static let male = Gender(rawValue: 1)
        /// 2.
        public static let female = Gender(rawValue: 2)

        /// `unknown`, `male`, `female`, or the number.
        public var description: String {
            switch rawValue {
            case 0: "unknown"
            case 1: "male"
            case 2: "female"
            default: String(rawValue)
            }
        }

        /// Decodes the bare number.
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(Int.self)
        }

        /// Encodes the bare number.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }
}

extension UserInfo: OpenDataModel {
    /// `openId` for `wx.getUserInfo`; profiles from `wx.getUserProfile` have no `openId` but
    /// always a `nickName` and an `avatarUrl`.
    static let recognisingKeys: [StaticString] = ["openId", "nickName", "avatarUrl"]

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> UserInfo {
        UserInfo(try InPlace(root, watermark: watermark))
    }

    /// The payload read and checked, its text still in the plaintext (see ``PhoneNumber/InPlace``).
    struct InPlace: JSONWritable {
        let openID: PayloadText?
        let nickName: PayloadText
        let gender: Int
        let language: PayloadText
        let city: PayloadText
        let province: PayloadText
        let country: PayloadText
        let avatarURL: PayloadText
        let unionID: PayloadText?
        let watermark: Watermark

        /// Every check of ``UserInfo/parse(_:watermark:)``: it is this, then a copy.
        init(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) {
            let fields = root.members([
                "openId", "nickName", "gender", "language", "city", "province", "country", "avatarUrl", "unionId",
            ])
            openID = try PayloadField.optionalText(fields[0], field: "openId")
            nickName = try PayloadField.text(fields[1], field: "nickName")
            gender = try PayloadField.int(fields[2], field: "gender")
            language = try PayloadField.text(fields[3], field: "language")
            city = try PayloadField.text(fields[4], field: "city")
            province = try PayloadField.text(fields[5], field: "province")
            country = try PayloadField.text(fields[6], field: "country")
            avatarURL = try PayloadField.text(fields[7], field: "avatarUrl")
            unionID = try PayloadField.optionalText(fields[8], field: "unionId")
            self.watermark = watermark
        }

        func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
            UserInfo.write(
                openID, nickName, gender, language, city, province, country, avatarURL, unionID, watermark, to: &writer)
        }
    }

    init(_ payload: InPlace) {
        self.init(
            openID: payload.openID?.string, nickName: payload.nickName.string, gender: Gender(rawValue: payload.gender),
            language: payload.language.string, city: payload.city.string, province: payload.province.string,
            country: payload.country.string, avatarURL: payload.avatarURL.string, unionID: payload.unionID?.string,
            watermark: payload.watermark)
    }

    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        Self.write(
            openID, nickName, gender.rawValue, language, city, province, country, avatarURL, unionID, watermark, to: &writer)
    }

    /// WeChat's wire form, from text held or still in the plaintext alike.
    @inline(__always)
    private static func write<Text: JSONStringValue, Output: JSONOutput & ~Copyable>(
        _ openID: Text?, _ nickName: Text, _ gender: Int, _ language: Text, _ city: Text, _ province: Text,
        _ country: Text, _ avatarURL: Text, _ unionID: Text?, _ watermark: Watermark, to writer: inout Output
    ) {
        writer.beginObject()
        if let openID { writer.member("openId", openID) }
        writer.member("nickName", nickName)
        writer.member("gender", Int64(gender))
        writer.member("language", language)
        writer.member("city", city)
        writer.member("province", province)
        writer.member("country", country)
        writer.member("avatarUrl", avatarURL)
        if let unionID { writer.member("unionId", unionID) }
        watermark.write(to: &writer)
        writer.endObject()
    }

    static let csvColumns = ["openId", "unionId", "nickName"]
    func forEachCSVCell(_ body: (String) -> Void) {
        body(openID ?? "")
        body(unionID ?? "")
        body(nickName)
    }
}
