#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes JSON text straight into a byte buffer: the models' wire form for output,
/// without `JSONEncoder` (which costs microseconds per record).
struct JSONWriter {
    var bytes: [UInt8]
    private var needsComma = false

    init(into bytes: [UInt8] = []) { self.bytes = bytes }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            output.append(UInt8(ascii: "\""))
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    output.append(Hex.digits[Int(byte >> 4)])
                    output.append(Hex.digits[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            output.append(UInt8(ascii: "\""))
        }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray(_ key: StaticString) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member: `"key":`.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    mutating func member(_ key: StaticString, _ value: String) {
        self.key(key)
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    mutating func member(_ key: StaticString, _ value: Int64) {
        self.key(key)
        raw(String(value))
    }

    mutating func member(_ key: StaticString, optional value: String?) {
        if let value { member(key, value) }
    }

    /// Appends text that is already JSON.
    mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    /// Appends validated JSON on one line (see `JSONCompacting`).
    mutating func compacted(_ json: UnsafeRawBufferPointer) {
        separate()
        JSONCompacting.append(json, maskingPhoneNumbers: false, to: &bytes)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}

extension Watermark {
    func write(to writer: inout JSONWriter) {
        writer.key("watermark")
        writer.beginObject()
        writer.member("timestamp", timestamp)
        writer.member("appid", appID)
        writer.endObject()
    }
}

extension OpenDataPayload {
    /// Writes the payload in WeChat's wire form and member order.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .phoneNumber(let phone):
            writer.beginObject()
            writer.member("phoneNumber", phone.phoneNumber)
            writer.member("purePhoneNumber", phone.purePhoneNumber)
            writer.member("countryCode", phone.countryCode)
            phone.watermark.write(to: &writer)
            writer.endObject()
        case .userInfo(let user):
            writer.beginObject()
            writer.member("openId", optional: user.openID)
            writer.member("nickName", user.nickName)
            writer.member("gender", Int64(user.gender.rawValue))
            writer.member("language", user.language)
            writer.member("city", user.city)
            writer.member("province", user.province)
            writer.member("country", user.country)
            writer.member("avatarUrl", user.avatarURL)
            writer.member("unionId", optional: user.unionID)
            user.watermark.write(to: &writer)
            writer.endObject()
        case .weRunData(let werun):
            writer.beginObject()
            writer.beginArray("stepInfoList")
            for day in werun.stepInfoList {
                writer.beginObject()
                writer.member("timestamp", day.timestamp)
                writer.member("step", Int64(day.step))
                writer.endObject()
            }
            writer.endArray()
            werun.watermark.write(to: &writer)
            writer.endObject()
        case .shareInfo(let share):
            writer.beginObject()
            writer.member("openGId", share.openGID)
            share.watermark.write(to: &writer)
            writer.endObject()
        case .groupEnterInfo(let group):
            writer.beginObject()
            writer.member("opengid", optional: group.openGID)
            writer.member("open_single_roomid", optional: group.openSingleRoomID)
            writer.member("group_openid", optional: group.groupOpenID)
            if let chatType = group.chatType { writer.member("chat_type", Int64(chatType)) }
            group.watermark.write(to: &writer)
            writer.endObject()
        case .raw(let verified):
            // Re-serialised on one line: whitespace in a payload must not split a result line.
            verified.json.withUnsafeBytes { writer.compacted($0) }
        }
    }
}
