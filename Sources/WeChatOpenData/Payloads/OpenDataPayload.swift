#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A verified payload of any of the kinds the legacy flow produces.
public enum OpenDataPayload: Sendable, Hashable, Encodable {
    /// `getPhoneNumber`.
    case phoneNumber(PhoneNumber)
    /// `wx.getUserInfo`.
    case userInfo(UserInfo)
    /// `wx.getWeRunData`.
    case weRunData(WeRunData)
    /// `wx.getShareInfo`.
    case shareInfo(ShareInfo)
    /// `wx.getGroupEnterInfo`.
    case groupEnterInfo(GroupEnterInfo)
    /// A payload of another kind, as verified JSON.
    case raw(VerifiedOpenData)

    /// The kinds a payload can be read as.
    public enum Kind: String, Sendable, CaseIterable {
        /// ``PhoneNumber``.
        case phone
        /// ``UserInfo``.
        case user
        /// ``WeRunData``.
        case werun
        /// ``ShareInfo``.
        case share
        /// ``GroupEnterInfo``.
        case group
        /// ``VerifiedOpenData``.
        case raw

        /// How messages name the kind.
        var payloadName: String {
            switch self {
            case .phone: "a phone number (getPhoneNumber)"
            case .user: "a user profile (getUserInfo/getUserProfile)"
            case .werun: "WeRun step data (getWeRunData)"
            case .share: "share info (getShareInfo)"
            case .group: "group-enter info (getGroupEnterInfo)"
            case .raw: "a payload of no known kind"
            }
        }

        /// Recognises a payload by its keys, each model's own (`recognisingKeys` in its file): the
        /// first member whose key identifies a model decides; anything else is `raw`.
        static func recognise(_ root: JSONValue) -> Kind {
            recognisingKeys.withUnsafeBufferPointer { table in
                root.firstMemberKey { key in table.first { key.is($0.key, in: root.bytes) }?.kind } ?? .raw
            }
        }

        /// The same for a verified document; one in the phone number's layout starts with
        /// `phoneNumber`, which decides without a look-up.
        static func recognise(_ document: VerifiedDocument) -> Kind {
            document.phoneNumberLayout != nil ? .phone : recognise(document.root)
        }

        /// Every model's recognising keys with its kind, in one flat table: one look-up per key.
        private static let recognisingKeys: [(key: StaticString, kind: Kind)] =
            [
                (Kind.phone, PhoneNumber.recognisingKeys), (.user, UserInfo.recognisingKeys),
                (.werun, WeRunData.recognisingKeys), (.share, ShareInfo.recognisingKeys),
                (.group, GroupEnterInfo.recognisingKeys),
            ].flatMap { kind, keys in keys.map { (key: $0, kind: kind) } }
    }

    /// The kind of this payload.
    public var kind: Kind {
        switch self {
        case .phoneNumber: .phone
        case .userInfo: .user
        case .weRunData: .werun
        case .shareInfo: .share
        case .groupEnterInfo: .group
        case .raw: .raw
        }
    }

    /// The verified watermark.
    public var watermark: Watermark {
        switch self {
        case .phoneNumber(let payload): payload.watermark
        case .userInfo(let payload): payload.watermark
        case .weRunData(let payload): payload.watermark
        case .shareInfo(let payload): payload.watermark
        case .groupEnterInfo(let payload): payload.watermark
        case .raw(let payload): payload.watermark
        }
    }

    /// A copy with every phone-shaped value masked: the numbers of ``phoneNumber(_:)``
    /// (``PhoneNumber/masked()``), a profile's text fields that read as a phone number (a
    /// nickname can be one), and in a raw payload, re-serialised on one line, every string that
    /// reads as a phone number and every number under a key naming a phone or shaped like a
    /// mainland mobile number.
    public func masked() -> OpenDataPayload {
        switch self {
        case .phoneNumber(let phone):
            return .phoneNumber(phone.masked())
        case .userInfo(let user):
            let mask = PhoneMasking.maskIfPhoneShaped
            return .userInfo(
                UserInfo(
                    openID: user.openID, nickName: mask(user.nickName), gender: user.gender, language: user.language,
                    city: mask(user.city), province: mask(user.province), country: mask(user.country),
                    avatarURL: user.avatarURL, unionID: user.unionID, watermark: user.watermark))
        case .raw(let verified):
            var masked: [UInt8] = []
            verified.json.withUnsafeBytes { JSONCompacting.append($0, maskingPhoneNumbers: true, to: &masked) }
            return .raw(VerifiedOpenData(json: Data(masked), watermark: verified.watermark))
        default:
            return self
        }
    }

    /// Encodes the payload in WeChat's wire form (the raw kind as its original JSON object).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .phoneNumber(let payload): try payload.encode(to: encoder)
        case .userInfo(let payload): try payload.encode(to: encoder)
        case .weRunData(let payload): try payload.encode(to: encoder)
        case .shareInfo(let payload): try payload.encode(to: encoder)
        case .groupEnterInfo(let payload): try payload.encode(to: encoder)
        case .raw(let payload): try RawJSON(payload.json).encode(to: encoder)
        }
    }
}

extension OpenDataPayload {
    /// Writes the payload in WeChat's wire form and member order (each model's writer is in its
    /// own file); a raw payload on one line.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .phoneNumber(let payload): payload.write(to: &writer)
        case .userInfo(let payload): payload.write(to: &writer)
        case .weRunData(let payload): payload.write(to: &writer)
        case .shareInfo(let payload): payload.write(to: &writer)
        case .groupEnterInfo(let payload): payload.write(to: &writer)
        // Re-serialised on one line: whitespace in a payload must not split a result line.
        case .raw(let payload): payload.json.withUnsafeBytes { writer.compacted($0) }
        }
    }

    /// Calls `body` with each of the model's CSV cells, in its columns' order; none for a raw
    /// payload.
    func forEachModelCell(_ body: (String) -> Void) {
        switch self {
        case .phoneNumber(let payload): payload.forEachCSVCell(body)
        case .userInfo(let payload): payload.forEachCSVCell(body)
        case .weRunData(let payload): payload.forEachCSVCell(body)
        case .shareInfo(let payload): payload.forEachCSVCell(body)
        case .groupEnterInfo(let payload): payload.forEachCSVCell(body)
        case .raw: break
        }
    }

    /// The payload as JSON in WeChat's wire form and member order; a raw payload is its
    /// original text.
    ///
    /// - Parameter prettyPrinted: Indent for people; otherwise one line.
    /// - Returns: The JSON text.
    public func jsonString(prettyPrinted: Bool = false) -> String {
        var writer = JSONWriter()
        write(to: &writer)
        let bytes = prettyPrinted ? JSONPrettyPrinting.prettyPrinted(writer.bytes) : writer.bytes
        return String(decoding: bytes, as: UTF8.self)
    }
}
