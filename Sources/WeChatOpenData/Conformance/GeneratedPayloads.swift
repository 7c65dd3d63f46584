/// The plaintexts and sealing of the generated cases. Payloads are written as JSON text by
/// hand so that every byte is the one the case needs (a number where a string is usual, an
/// escape, a broken byte).
struct GeneratedPayloads {
    static let appID = "wx8e5ec0fa11ce0013"
    static let timestamp: Int64 = 1_763_000_000

    let material: CaseMaterial

    struct Payload {
        let json: String
        /// The phone numbers and openIds in it, which no error message may contain.
        let identifiers: [String]
        var bytes: [UInt8] { Array(json.utf8) }
    }

    static func watermark(appID: String = appID, timestamp: Int64 = timestamp) -> String {
        #""watermark":{"timestamp":\#(timestamp),"appid":"\#(appID)"}"#
    }

    private static func object(_ members: [String]) -> String { "{" + members.joined(separator: ",") + "}" }

    func mainlandNumber(_ label: String) -> String {
        let second = ["3", "5", "7", "8", "9"][Int(material.bytes("second digit " + label, count: 1)[0] % 5)]
        return "1" + second + material.digits(label, count: 9)
    }

    func phone(
        _ label: String, countryCode: String = "86", national: String? = nil, numericCountryCode: Bool = false,
        watermark: String? = GeneratedPayloads.watermark()
    ) -> Payload {
        let national = national ?? mainlandNumber(label)
        let international = countryCode == "86" ? national : "+\(countryCode) \(national)"
        let code = numericCountryCode ? countryCode : "\"\(countryCode)\""
        var members = [
            #""phoneNumber":"\#(international)""#, #""purePhoneNumber":"\#(national)""#, #""countryCode":\#(code)"#,
        ]
        if let watermark { members.append(watermark) }
        return Payload(json: Self.object(members), identifiers: [national])
    }

    /// `nickName` and `city` are JSON string contents: escapes stay escapes.
    func user(
        _ label: String, openID: Bool = true, unionID: Bool = false, nickName: String = "Band", city: String = "Guangzhou"
    ) -> Payload {
        let openIDValue = "o" + material.identifier("openId " + label, count: 27)
        let unionIDValue = "o" + material.identifier("unionId " + label, count: 27)
        let avatar = material.identifier("avatar " + label, count: 40)
        var members = openID ? [#""openId":"\#(openIDValue)""#] : []
        members += [
            #""nickName":"\#(nickName)""#, #""gender":1"#, #""language":"zh_CN""#, #""city":"\#(city)""#,
            #""province":"Guangdong""#, #""country":"CN""#, #""avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/\#(avatar)/132""#,
        ]
        if unionID { members.append(#""unionId":"\#(unionIDValue)""#) }
        members.append(Self.watermark())
        return Payload(json: Self.object(members), identifiers: (openID ? [openIDValue] : []) + (unionID ? [unionIDValue] : []))
    }

    func weRun(_ label: String, days: Int) -> Payload {
        // Midnight in China (UTC+8) of each day, as WeChat sends them, ending the day before the watermark.
        let lastDay = (Self.timestamp + 28_800) / 86_400 * 86_400 - 28_800 - 86_400
        let steps = material.bytes("steps " + label, count: 2 * days)
        let list = (0..<days).map { day in
            let step = (Int(steps[2 * day]) << 8 | Int(steps[2 * day + 1])) % 30_000
            return #"{"timestamp":\#(lastDay - Int64(days - 1 - day) * 86_400),"step":\#(step)}"#
        }
        return Payload(json: Self.object([#""stepInfoList":[\#(list.joined(separator: ","))]"#, Self.watermark()]), identifiers: [])
    }

    func share(_ label: String) -> Payload {
        Payload(
            json: Self.object([#""openGId":"tG\#(material.identifier("openGId " + label, count: 26))""#, Self.watermark()]),
            identifiers: [])
    }

    func groupEnter(_ label: String, singleChat: Bool) -> Payload {
        let room = material.identifier("room " + label, count: 26)
        let members = [
            singleChat ? #""open_single_roomid":"s\#(room)""# : #""opengid":"tG\#(room)""#,
            #""group_openid":"g\#(material.identifier("group_openid " + label, count: 26))""#,
            #""chat_type":\#(singleChat ? 1 : 3)"#, Self.watermark(),
        ]
        return Payload(json: Self.object(members), identifiers: [])
    }

    /// The same payload with spaces before its closing brace, so that it fills whole blocks.
    static func wholeBlocks(_ payload: Payload) -> Payload {
        let missing = (16 - payload.bytes.count % 16) % 16
        return Payload(
            json: String(payload.json.dropLast()) + String(repeating: " ", count: missing) + "}",
            identifiers: payload.identifiers)
    }

    // MARK: Sealing

    /// A key, an iv and the ciphertext, before base64.
    struct Sealed {
        let key: [UInt8]
        let iv: [UInt8]
        let ciphertext: [UInt8]

        func texts(appID: String = GeneratedPayloads.appID) -> SuiteBuilder.Texts {
            SuiteBuilder.Texts(
                appID: appID, sessionKey: CaseSealing.base64(key), iv: CaseSealing.base64(iv),
                encryptedData: CaseSealing.base64(ciphertext))
        }
    }

    /// `blocks` sealed under the label's own 16-byte key and iv.
    func seal(_ label: String, blocks: [UInt8]) -> Sealed {
        let key = material.key(label)
        let iv = material.iv(label)
        return Sealed(key: key, iv: iv, ciphertext: CaseSealing.encrypt(blocks, key: key, iv: iv))
    }

    /// `plaintext` with valid padding, sealed under the label's own key and iv.
    func seal(_ label: String, _ plaintext: [UInt8]) -> Sealed { seal(label, blocks: CaseSealing.pkcs7(plaintext)) }

    /// The first sealing of `plaintext` (under keys derived from `label#0`, `label#1`, …) whose
    /// texts have the property a transport-damage case needs, such as a `+` to turn into a space.
    func seal(_ label: String, _ plaintext: [UInt8], where property: (SuiteBuilder.Texts) -> Bool) -> SuiteBuilder.Texts {
        for attempt in 0..<1_000 {
            let texts = seal("\(label)#\(attempt)", plaintext).texts()
            if property(texts) { return texts }
        }
        // Each property holds for a random key with a probability of at least 1/4.
        preconditionFailure("no sealing of \(label) has the property the case needs")
    }
}

extension [UInt8] {
    static func spaces(_ count: Int) -> [UInt8] { [UInt8](repeating: 0x20, count: count) }
    static func bytes(_ value: Int, count: Int) -> [UInt8] { [UInt8](repeating: UInt8(value), count: count) }
}
