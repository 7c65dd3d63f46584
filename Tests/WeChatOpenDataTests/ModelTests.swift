import Foundation
import Testing
import WeChatOpenData

@Suite("Models")
struct ModelTests {
    @Test("phone numbers are masked in descriptions and on request")
    func phoneMasking() throws {
        let phone = try Sealed(Sealed.phoneJSON).decrypt(PhoneNumber.self)
        #expect(phone.description == "PhoneNumber(+86 135****6666)")
        #expect(phone.masked().phoneNumber == "135****6666")
        #expect(!"\(phone)".contains("13580006666"))
        #expect(phone.countryCode == "86")
    }

    @Test("countryCode is accepted as a string or a number; other types name the field")
    func countryCode() throws {
        let numeric = Sealed(#"{"phoneNumber":"+1 6505550123","purePhoneNumber":"6505550123","countryCode":1,"#
            + Sealed.watermarkJSON + "}")
        #expect(try numeric.decrypt(PhoneNumber.self).countryCode == "1")
        let wrong = Sealed(#"{"phoneNumber":"1","purePhoneNumber":"1","countryCode":true,"# + Sealed.watermarkJSON + "}")
        let error = #expect(throws: OpenDataError.self) { try wrong.decrypt(PhoneNumber.self) }
        #expect(error?.code == .invalidPayload && error?.field == "countryCode")
    }

    @Test("4-byte UTF-8 nicknames survive, and profiles stay out of descriptions")
    func userInfo() throws {
        let json = #"{"openId":"oX","nickName":"小明🐼\ud83d\ude00","gender":2,"language":"zh_CN","city":"","#
            + #""province":"","country":"","avatarUrl":"","# + Sealed.watermarkJSON + "}"
        let user = try Sealed(json).decrypt(UserInfo.self)
        #expect(user.nickName == "小明🐼😀")
        #expect(user.gender == .female && user.unionID == nil)
        #expect(!user.description.contains("小明"))
    }

    @Test("werun, share and group-enter parse, and name the failing element")
    func otherKinds() throws {
        let werun = try Sealed(#"{"stepInfoList":[{"timestamp":1,"step":2},{"timestamp":3,"step":4}],"#
            + Sealed.watermarkJSON + "}").decrypt(WeRunData.self)
        #expect(werun.stepInfoList == [.init(timestamp: 1, step: 2), .init(timestamp: 3, step: 4)])
        let broken = Sealed(#"{"stepInfoList":[{"timestamp":1,"step":2},{"timestamp":3}],"# + Sealed.watermarkJSON + "}")
        let error = #expect(throws: OpenDataError.self) { try broken.decrypt(WeRunData.self) }
        #expect(error?.field == "stepInfoList[1].step")
        let overflow = Sealed(#"{"stepInfoList":[{"timestamp":99999999999999999999,"step":2}],"# + Sealed.watermarkJSON + "}")
        #expect(throws: OpenDataError.self) { try overflow.decrypt(WeRunData.self) }
        #expect(try Sealed(#"{"openGId":"G1","# + Sealed.watermarkJSON + "}").decrypt(ShareInfo.self).openGID == "G1")
        let single = try Sealed(#"{"open_single_roomid":"R","chat_type":1,"# + Sealed.watermarkJSON + "}")
            .decrypt(GroupEnterInfo.self)
        #expect(single.openSingleRoomID == "R" && single.openGID == nil && single.chatType == 1)
        let neither = Sealed(#"{"chat_type":1,"# + Sealed.watermarkJSON + "}")
        #expect(throws: OpenDataError.self) { try neither.decrypt(GroupEnterInfo.self) }
    }
}

@Suite("Phone masking")
struct PhoneMaskingTests {
    @Test("at least four digits are hidden, mainland numbers look like 138****6666")
    func masks() {
        let watermark = Watermark(appID: "wx1", timestamp: 0)
        let cases = [
            ("13812346666", "138****6666"), ("85089970", "****9970"), ("+65 85089970", "+65 ****9970"),
            ("6505550123", "65****0123"), ("+1 6505550123", "+1 65****0123"), ("1234", "****"), ("", ""),
        ]
        for (number, masked) in cases {
            let phone = PhoneNumber(phoneNumber: number, purePhoneNumber: number, countryCode: "1", watermark: watermark)
            #expect(phone.masked().phoneNumber == masked, "\(number)")
        }
    }
}
