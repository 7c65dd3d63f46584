import Foundation
import Testing
@testable import WeChatOpenData

/// The JSON that `decrypt-file` results carry, written by sizing first and then writing into
/// reserved room: checked byte for byte against a plain reference and by decoding it back.
@Suite("Batch result JSON: payloads and errors, sized then written")
struct BatchResultJSONTests {
    static let watermark = Watermark(appID: Sealed.appID, timestamp: Sealed.timestamp)

    /// `text` as a JSON string literal, escaped one character at a time: the reference for the
    /// writer, which copies eight plain bytes at a time.
    static func literal(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            case let control where control.value < 0x20: literal += String(format: "\\u%04x", control.value)
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }

    static func json(_ payload: OpenDataPayload, after prefix: String = "") -> String {
        var output = Array(prefix.utf8)
        payload.appendJSON(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Texts of every length around the writer's eight-byte words, plain, and with something
    /// to escape or a multi-byte character at each position in turn.
    static let texts: [String] = (0...25).flatMap { length -> [String] in
        let plain = String(repeating: "7", count: length)
        let odd: [Character] = ["\"", "\\", "\u{0}", "\n", "\t", "\u{1F}", "é", "😀", "/"]
        return [plain]
            + (0..<length).flatMap { position in
                odd.map { character in
                    var text = Array(plain)
                    text[position] = character
                    return String(text)
                }
            }
    }

    @Test("strings of every length, with an escape or a non-ASCII character anywhere, as the reference escapes them")
    func strings() throws {
        for text in Self.texts {
            let phone = PhoneNumber(phoneNumber: text, purePhoneNumber: "1" + text, countryCode: text, watermark: Self.watermark)
            let expected =
                #"{"phoneNumber":\#(Self.literal(text)),"purePhoneNumber":\#(Self.literal("1" + text)),"#
                + #""countryCode":\#(Self.literal(text)),"# + Sealed.watermarkJSON + "}"
            let json = Self.json(.phoneNumber(phone))
            #expect(json == expected)
            #expect(try JSONDecoder().decode(PhoneNumber.self, from: Data(json.utf8)) == phone)
        }
    }

    @Test("a string that is all escapes takes six bytes a byte, appended after what the buffer held")
    func worstCaseGrowth() throws {
        let text = String(repeating: "\u{1}", count: 3000)
        let profile = UserInfo(
            openID: text, nickName: text, gender: .init(rawValue: 1), language: "", city: "", province: "", country: "",
            avatarURL: text, watermark: Self.watermark)
        let json = Self.json(.userInfo(profile), after: "prefix")
        #expect(json.hasPrefix(#"prefix{"openId":"\u0001\u0001"#))
        #expect(json.utf8.count == "prefix".utf8.count + Self.json(.userInfo(profile)).utf8.count)
        #expect(try JSONDecoder().decode(UserInfo.self, from: Data(json.utf8.dropFirst(6))) == profile)
    }

    @Test("the buffer appended to is not shared with its copies")
    func copiedBuffer() {
        var output = Array("kept".utf8)
        let copy = output
        OpenDataPayload.shareInfo(ShareInfo(openGID: "tGabc", watermark: Self.watermark)).appendJSON(to: &output)
        #expect(copy == Array("kept".utf8))
        #expect(String(decoding: output, as: UTF8.self) == #"kept{"openGId":"tGabc","# + Sealed.watermarkJSON + "}")
    }

    static let integers: [Int64] =
        [0, 1, 9, 10, 11, 99, 100, 101, 12_345, .max, .min, .min + 1]
        + (1...18).flatMap { exponent -> [Int64] in
            let power = (0..<exponent).reduce(Int64(1)) { power, _ in power * 10 }
            return [power - 1, power, power + 1, -power, -(power - 1)]
        }

    @Test("integers of every digit count and sign, as Swift prints them")
    func integers() throws {
        for value in Self.integers {
            let watermark = Watermark(appID: Sealed.appID, timestamp: value)
            let steps = WeRunData(stepInfoList: [.init(timestamp: value, step: Int(value))], watermark: watermark)
            let json = Self.json(.weRunData(steps))
            let expected =
                #"{"stepInfoList":[{"timestamp":\#(value),"step":\#(value)}],"#
                + #""watermark":{"timestamp":\#(value),"appid":"\#(Sealed.appID)"}}"#
            #expect(json == expected)
        }
    }

    static let payloads: [OpenDataPayload] = [
        .phoneNumber(PhoneNumber(phoneNumber: "+1 6505550100", purePhoneNumber: "6505550100", countryCode: "1", watermark: watermark)),
        .userInfo(
            UserInfo(
                openID: "oGZUI0egBJY1zhBYw2KhdUfwVJJE", nickName: "小明 \"Band\"", gender: .init(rawValue: 2),
                language: "zh_CN", city: "Guangzhou", province: "Guangdong", country: "CN",
                avatarURL: "http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0",
                unionID: "ocMvos6NjeKLIBqg5Mr9QjxrP1FA", watermark: watermark)),
        .userInfo(
            UserInfo(
                openID: nil, nickName: "", gender: .init(rawValue: 0), language: "en", city: "", province: "", country: "",
                avatarURL: "", watermark: watermark)),
        .weRunData(WeRunData(stepInfoList: [], watermark: watermark)),
        .weRunData(
            WeRunData(stepInfoList: [.init(timestamp: 1_445_866_601, step: 100), .init(timestamp: 1_445_953_001, step: 0)], watermark: watermark)),
        .shareInfo(ShareInfo(openGID: "OPENGID", watermark: watermark)),
        .groupEnterInfo(GroupEnterInfo(openGID: "tGxyz", groupOpenID: "oGroup", chatType: 3, watermark: watermark)),
        .groupEnterInfo(GroupEnterInfo(openGID: nil, openSingleRoomID: "room-1", watermark: watermark)),
    ]

    @Test("every model: the same bytes as jsonString(), which grows its buffer instead, and within the size counted first")
    func everyModel() throws {
        for payload in Self.payloads {
            let json = Self.json(payload)
            #expect(json == payload.jsonString())
            let decoded: OpenDataPayload =
                switch payload {
                case .phoneNumber: .phoneNumber(try JSONDecoder().decode(PhoneNumber.self, from: Data(json.utf8)))
                case .userInfo: .userInfo(try JSONDecoder().decode(UserInfo.self, from: Data(json.utf8)))
                case .weRunData: .weRunData(try JSONDecoder().decode(WeRunData.self, from: Data(json.utf8)))
                case .shareInfo: .shareInfo(try JSONDecoder().decode(ShareInfo.self, from: Data(json.utf8)))
                case .groupEnterInfo: .groupEnterInfo(try JSONDecoder().decode(GroupEnterInfo.self, from: Data(json.utf8)))
                case .raw: payload
                }
            #expect(decoded == payload)
            #expect(json.utf8.count <= Self.counted(payload))
        }
    }

    /// What ``JSONLength`` counts for the payload's model.
    static func counted(_ payload: OpenDataPayload) -> Int {
        var length = JSONLength()
        switch payload {
        case .phoneNumber(let model): model.write(to: &length)
        case .userInfo(let model): model.write(to: &length)
        case .weRunData(let model): model.write(to: &length)
        case .shareInfo(let model): model.write(to: &length)
        case .groupEnterInfo(let model): model.write(to: &length)
        case .raw: return 0
        }
        return length.count
    }

    @Test("a raw payload is its JSON on one line")
    func rawPayload() throws {
        let text = "{\n  \"a\": [1, 2],\r\n\t\"b\": \"x y\",\n  \"watermark\": {\"timestamp\": 1, \"appid\": \"wx\"}\n}"
        let verified = VerifiedOpenData(json: Data(text.utf8), watermark: Watermark(appID: "wx", timestamp: 1))
        #expect(Self.json(.raw(verified), after: "[") == #"[{"a":[1,2],"b":"x y","watermark":{"timestamp":1,"appid":"wx"}}"#)
    }

    @Test("an error: its code and a reason with quotes, control characters and non-ASCII, escaped")
    func errorJSON() throws {
        for text in Self.texts where !text.isEmpty {
            let error = OpenDataError.invalidPayload(field: "nickName", text)
            var json = Array("x".utf8)
            error.appendJSON(to: &json)
            #expect(
                String(decoding: json, as: UTF8.self)
                    == #"x{"code":"invalid_payload","message":\#(Self.literal(error.reason))}"#)
        }
    }

    @Test("a record's id that is its line number, written without a String")
    func lineNumberIDs() {
        var worker = BatchTests.decryptor.makeWorker()
        let record = BatchTests.record(Sealed(Sealed.phoneJSON))
        for lineNumber in [1, 9, 10, 99, 100, 1_000_000_007, Int.max] {
            let result = BatchTests.decrypt(record, lineNumber: lineNumber, with: &worker)
            #expect(result.id == String(lineNumber) && result.idText == String(lineNumber))
        }
    }
}
