import Foundation
import Testing
@testable import WeChatOpenData

@Suite("SessionKeyRing: the current key, then the one it replaced")
struct SessionKeyRingTests {
    static let appID = "wx4f4bc4dec97d474b"
    static let now: Int64 = 1_637_744_274
    static let watermark = Watermark(appID: appID, timestamp: now)
    static let phone = PhoneNumber(
        phoneNumber: "13580006666", purePhoneNumber: "13580006666", countryCode: "86", watermark: watermark)

    let current = SessionKey.random()
    let previous = SessionKey.random()
    let decryptor = try! OpenDataDecryptor(
        appID: appID,
        freshness: FreshnessPolicy(maximumAge: .seconds(300), now: { Date(timeIntervalSince1970: TimeInterval(now)) }))

    func sealed(_ payload: OpenDataPayload = .phoneNumber(Self.phone), with key: SessionKey) -> EncryptedOpenData {
        try! OpenDataEncryptor.encrypt(payload, sessionKey: key)
    }

    func phone(_ data: EncryptedOpenData, _ ring: SessionKeyRing) throws(OpenDataError)
        -> SessionKeyRing.Decryption<PhoneNumber>
    {
        try decryptor.decrypt(PhoneNumber.self, encryptedData: data.encryptedData, iv: data.iv, sessionKeys: ring)
    }

    @Test("data sealed with the current key decrypts with it, whatever the previous key")
    func currentMatches() throws {
        let data = sealed(with: current)
        for ring in [SessionKeyRing(current: current, previous: previous), SessionKeyRing(current: current)] {
            let result = try phone(data, ring)
            #expect(result.payload == Self.phone)
            #expect(result.matchedKey == .current)
        }
    }

    @Test("data sealed with the replaced key decrypts through the previous key, and says so")
    func previousMatches() throws {
        let result = try phone(sealed(with: previous), SessionKeyRing(current: current, previous: previous))
        #expect(result.payload == Self.phone)
        #expect(result.matchedKey == .previous)
    }

    @Test("when neither key matches, the error is exactly the single-key decryption_failed")
    func neitherMatches() throws {
        let data = sealed(with: SessionKey.random())
        let single = #expect(throws: OpenDataError.self) {
            try decryptor.decrypt(PhoneNumber.self, encryptedData: data.encryptedData, iv: data.iv, sessionKey: current)
        }
        let ringed = #expect(throws: OpenDataError.self) {
            try phone(data, SessionKeyRing(current: current, previous: previous))
        }
        #expect(ringed?.code == .decryptionFailed)
        #expect(ringed == single)
    }

    @Test("a previous key equal to the current one is not tried a second time")
    func identicalPrevious() throws {
        let copy = try SessionKey(base64: current.base64EncodedString())
        let ring = SessionKeyRing(current: current, previous: copy)
        #expect(ring.fallback == nil)
        #expect(ring.previous == copy)
        #expect(SessionKeyRing(current: current, previous: previous).fallback == previous)
        #expect(try phone(sealed(with: current), ring).matchedKey == .current)
        let error = #expect(throws: OpenDataError.self) { try phone(sealed(with: previous), ring) }
        #expect(error?.code == .decryptionFailed)
    }

    @Test("a ring of one key gives the single-key call's answer and errors")
    func ringOfOne() throws {
        let good = sealed(with: current)
        let foreign = sealed(.phoneNumber(PhoneNumber(
            phoneNumber: "1", purePhoneNumber: "1", countryCode: "86",
            watermark: Watermark(appID: "wx0000000000000000", timestamp: Self.now))), with: current)
        let inputs: [EncryptedOpenData] = [
            good, sealed(with: previous), foreign,
            EncryptedOpenData(encryptedData: good.encryptedData, iv: "%%%"),
            EncryptedOpenData(encryptedData: "AAAA", iv: good.iv),
        ]
        let ring = SessionKeyRing(current: current)
        for data in inputs {
            let single = Result { () throws(OpenDataError) in
                try decryptor.decrypt(PhoneNumber.self, encryptedData: data.encryptedData, iv: data.iv, sessionKey: current)
            }
            let ringed = Result { () throws(OpenDataError) in try phone(data, ring) }
            switch (single, ringed) {
            case (.success(let expected), .success(let result)):
                #expect(result.payload == expected && result.matchedKey == .current)
            case (.failure(let expected), .failure(let error)):
                #expect(error == expected)
            default:
                Issue.record("the ring answered \(ringed), the single key \(single)")
            }
        }
    }

    @Test("an error after decryption or before it is final: the previous key is not tried")
    func finalErrors() throws {
        let ring = SessionKeyRing(current: current, previous: previous)
        let foreign = sealed(.phoneNumber(PhoneNumber(
            phoneNumber: "1", purePhoneNumber: "1", countryCode: "86",
            watermark: Watermark(appID: "wx0000000000000000", timestamp: Self.now))), with: current)
        let expired = sealed(.phoneNumber(PhoneNumber(
            phoneNumber: "1", purePhoneNumber: "1", countryCode: "86",
            watermark: Watermark(appID: Self.appID, timestamp: Self.now - 3600))), with: current)
        let share = sealed(.shareInfo(ShareInfo(openGID: "G", watermark: Self.watermark)), with: current)
        let good = sealed(with: previous)
        let cases: [(EncryptedOpenData, OpenDataError.Code)] = [
            (foreign, .appIDMismatch),
            (expired, .watermarkExpired),
            (share, .invalidPayload),  // a ShareInfo read as a PhoneNumber
            (EncryptedOpenData(encryptedData: good.encryptedData, iv: "%%%"), .invalidIV),
            (EncryptedOpenData(encryptedData: "AAAA", iv: good.iv), .invalidEncryptedData),
        ]
        for (data, code) in cases {
            let error = #expect(throws: OpenDataError.self) { try phone(data, ring) }
            #expect(error?.code == code)
        }
    }

    @Test("every model, decryptPayload and decryptJSON decrypt through the previous key")
    func everyModel() throws {
        let ring = SessionKeyRing(current: current, previous: previous)
        let user = UserInfo(
            openID: "oX", nickName: "小明🐼", gender: .female, language: "zh_CN", city: "", province: "", country: "",
            avatarURL: "", watermark: Self.watermark)
        let werun = WeRunData(stepInfoList: [.init(timestamp: 1, step: 2)], watermark: Self.watermark)
        let share = ShareInfo(openGID: "G1", watermark: Self.watermark)
        let group = GroupEnterInfo(openGID: "G2", chatType: 3, watermark: Self.watermark)
        let raw = OpenDataPayload.raw(VerifiedOpenData(
            json: Data(#"{"cloudID":"c","watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}"#.utf8),
            watermark: Self.watermark))

        func check<Model: Decodable & Equatable>(_ model: Model, _ payload: OpenDataPayload) throws {
            let data = sealed(payload, with: previous)
            let typed = try decryptor.decrypt(Model.self, encryptedData: data.encryptedData, iv: data.iv, sessionKeys: ring)
            #expect(typed == SessionKeyRing.Decryption(payload: model, matchedKey: .previous))
            let dynamic = try decryptor.decryptPayload(encryptedData: data.encryptedData, iv: data.iv, sessionKeys: ring)
            #expect(dynamic.payload == payload && dynamic.matchedKey == .previous)
            let named = try decryptor.decryptPayload(
                as: payload.kind, encryptedData: data.encryptedData, iv: data.iv, sessionKeys: ring)
            #expect(named.payload == payload && named.matchedKey == .previous)
            let json = try decryptor.decryptJSON(encryptedData: data.encryptedData, iv: data.iv, sessionKeys: ring)
            #expect(json.matchedKey == .previous && json.payload.watermark == Self.watermark)
        }
        try check(Self.phone, .phoneNumber(Self.phone))
        try check(user, .userInfo(user))
        try check(werun, .weRunData(werun))
        try check(share, .shareInfo(share))
        try check(group, .groupEnterInfo(group))

        // A caller's own Decodable type goes through JSONDecoder after the same verification.
        struct CloudPayload: Decodable, Equatable { let cloudID: String }
        try check(CloudPayload(cloudID: "c"), raw)
        let rawData = sealed(raw, with: previous)
        let json = try decryptor.decryptJSON(encryptedData: rawData.encryptedData, iv: rawData.iv, sessionKeys: ring)
        #expect(json.payload.json == raw.jsonString().data(using: .utf8))
    }

    @Test("no key appears in any description of a ring or a result")
    func redaction() throws {
        let ring = SessionKeyRing(current: current, previous: previous)
        var dumped = ""
        dump(ring, to: &dumped)
        let texts = [current.base64EncodedString(), previous.base64EncodedString()]
        for rendered in [ring.description, ring.debugDescription, "\(ring)", String(reflecting: ring), dumped] {
            for text in texts { #expect(!rendered.contains(text) && !rendered.contains(text.prefix(12))) }
        }
        #expect(ring.description == "SessionKeyRing(current: redacted, previous: redacted)")
        #expect(SessionKeyRing(current: current).description == "SessionKeyRing(current: redacted, previous: none)")
        let result = try phone(sealed(with: previous), ring)
        #expect(result.description == "Decryption(PhoneNumber, previous key)")
        #expect(!"\(result)".contains("13580006666"))
    }
}
