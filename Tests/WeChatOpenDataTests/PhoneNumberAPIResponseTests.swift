import Testing
import WeChatOpenData

@Suite("The code-based phone flow's response, into the same PhoneNumber")
struct PhoneNumberAPIResponseTests {
    static let appID = "wx4f4bc4dec97d474b"

    @Test("a success response gives the same model as the legacy flow, countryCode as a string")
    func success() throws {
        let body = #"{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,"watermark":{"timestamp":1637744274,"appid":"wx4f4bc4dec97d474b"}}}"#
        let phone = try PhoneNumberAPIResponse.phoneNumber(from: Array(body.utf8), expectedAppID: Self.appID)
        let legacy = try Sealed(Sealed.phoneJSON).decrypt(PhoneNumber.self)
        #expect(phone == legacy)
    }

    @Test("errcodes map to typed errors", arguments: [
        (-1, PhoneNumberAPIError.Code.systemBusy), (40029, .invalidCode), (45011, .rateLimited), (40013, .invalidAppID),
        (40001, .other),
    ])
    func errcodes(errcode: Int, code: PhoneNumberAPIError.Code) {
        let body = #"{"errcode":\#(errcode),"errmsg":"some message"}"#
        let error = #expect(throws: PhoneNumberAPIError.self) {
            try PhoneNumberAPIResponse.phoneNumber(from: Array(body.utf8), expectedAppID: Self.appID)
        }
        #expect(error?.code == code && error?.errcode == errcode)
        #expect(error?.reason == "errcode \(errcode): some message")
    }

    @Test("unreadable responses and another app's data are errors that never show the number")
    func invalid() {
        let cases: [(String, PhoneNumberAPIError.Code)] = [
            ("not json", .invalidResponse),
            (#"{"errcode":0,"errmsg":"ok"}"#, .invalidResponse),
            (#"{"errcode":0,"phone_info":{"purePhoneNumber":"13580006666","countryCode":86,"watermark":{"timestamp":1,"appid":"wx4f4bc4dec97d474b"}}}"#, .invalidResponse),
            (#"{"errcode":0,"phone_info":{"phoneNumber":"13580006666","purePhoneNumber":"13580006666","countryCode":86,"watermark":{"timestamp":1,"appid":"wxOTHER"}}}"#, .appIDMismatch),
        ]
        for (body, code) in cases {
            let error = #expect(throws: PhoneNumberAPIError.self) {
                try PhoneNumberAPIResponse.phoneNumber(from: Array(body.utf8), expectedAppID: Self.appID)
            }
            #expect(error?.code == code, "\(body)")
            #expect(error?.description.contains("13580006666") == false)
        }
    }
}
