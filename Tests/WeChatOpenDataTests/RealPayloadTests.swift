import Foundation
import Testing
@testable import WeChatOpenData

/// Payloads WeChat really sends, in the shapes real backends receive them.
@Suite("Real payloads: getUserProfile without openId, base64 as PHP prints it")
struct RealPayloadTests {
    static let anonymousProfile =
        #"{"nickName":"微信用户","gender":0,"language":"","city":"","province":"","country":"","#
        + #""avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132","#
        + Sealed.watermarkJSON + "}"

    @Test("a wx.getUserProfile payload without openId and unionId decrypts, typed and auto-recognised")
    func profileWithoutOpenID() throws {
        let sealed = Sealed(Self.anonymousProfile)
        let user = try sealed.decrypt(UserInfo.self)
        #expect(user.openID == nil && user.unionID == nil)
        #expect(user.nickName == "微信用户" && user.language == "" && user.city == "" && user.gender == .unknown)
        let payload = try sealed.decryptPayload()
        #expect(payload.kind == .user)
        #expect(!payload.jsonString().contains("openId"))
    }

    /// `encryptedData` as WeChat's PHP demo and its copies print it: fixed-width lines, each indented.
    static func wrapped(_ base64: String, width: Int = 64, indent: String, newline: String, trailing: String = "") -> String {
        var lines: [String] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(indent + rest.prefix(width) + trailing)
            rest = rest.dropFirst(width)
        }
        return lines.joined(separator: newline)
    }

    /// A sealed phone payload whose ciphertext has a `+` in the middle of some line, so the tests
    /// can also damage it the way form decoding does.
    static let sealedWithPlus: Sealed = {
        while true {
            let sealed = Sealed(Sealed.phoneJSON)
            let text = Array(sealed.data.encryptedData)
            let interior = text.indices.filter { text[$0] == "+" && $0 % 64 != 0 && $0 % 64 != 63 && $0 < text.count - 3 }
            if !interior.isEmpty { return sealed }
        }
    }()

    @Test(
        "indented, wrapped encryptedData decrypts: 2, 4 and 8 spaces, tabs, LF and CRLF, trailing blanks",
        arguments: ["  ", "    ", "        ", "\t", "\t\t", " \t"], ["\n", "\r\n"])
    func phpIndentation(indent: String, newline: String) throws {
        let sealed = Self.sealedWithPlus
        let decryptor = try OpenDataDecryptor(appID: Sealed.appID)
        for trailing in ["", " ", "\t", "  "] {
            let text = Self.wrapped(sealed.data.encryptedData, indent: indent, newline: newline, trailing: trailing)
            let phone = try decryptor.decrypt(
                PhoneNumber.self, encryptedData: text, iv: sealed.data.iv, sessionKey: sealed.sessionKey)
            #expect(phone.phoneNumber == "13580006666")
            #expect(try Base64Inspection.inspect(encryptedData: text).repairs == .whitespaceRemoved)
        }
    }

    @Test("indented lines that also lost '+' to form decoding: interior spaces are '+', indentation is whitespace")
    func indentationAndSpacesAsPlus() throws {
        let sealed = Self.sealedWithPlus
        let damaged = Self.wrapped(sealed.data.encryptedData, indent: "    ", newline: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                // Only '+' between two base64 characters: a '+' at a line's edge is another case.
                let body = Array(line.dropFirst(4))
                let repaired = body.indices.map { body[$0] == "+" && $0 > 0 && $0 < body.count - 1 ? " " : body[$0] }
                return "    " + String(repaired)
            }
            .joined(separator: "\n")
        #expect(damaged.split(separator: "\n").contains { $0.dropFirst(4).contains(" ") }, "some '+' was damaged")
        let inspection = try Base64Inspection.inspect(encryptedData: damaged)
        #expect(inspection.repairs == [.whitespaceRemoved, .spacesAsPlus])
        let phone = try OpenDataDecryptor(appID: Sealed.appID).decrypt(
            PhoneNumber.self, encryptedData: damaged, iv: sealed.data.iv, sessionKey: sealed.sessionKey)
        #expect(phone.purePhoneNumber == "13580006666")
    }

    @Test(
        "'+' lost at the start of 1, 2 or 3 indented lines: only the blanks beyond the common indentation are '+'",
        arguments: [1, 2, 3])
    func lostPlusAtLineStart(lostCount: Int) throws {
        // Find a ciphertext where exactly `lostCount` of the later lines start with '+'.
        var found: (Sealed, String)?
        while found == nil {
            let sealed = Sealed(Sealed.phoneJSON + String(repeating: " ", count: 300))
            let lines = Self.wrapped(sealed.data.encryptedData, indent: "", newline: "\n").split(separator: "\n")
            guard lines.dropFirst().filter({ $0.first == "+" }).count == lostCount, lines.first?.first != "+" else { continue }
            // Indented by two spaces; each lost '+' is a third space next to the text.
            found = (sealed, lines.map { $0.first == "+" ? "   " + $0.dropFirst() : "  " + $0 }.joined(separator: "\n"))
        }
        let (sealed, damaged) = try #require(found)
        let inspection = try Base64Inspection.inspect(encryptedData: damaged)
        #expect(inspection.repairs.contains(.spacesAsPlus) && inspection.repairs.contains(.whitespaceRemoved))
        #expect(throws: Never.self) {
            try OpenDataDecryptor(appID: Sealed.appID).decryptJSON(
                encryptedData: damaged, iv: sealed.data.iv, sessionKey: sealed.sessionKey)
        }
    }

    @Test("MIME-wrapped lines (76 columns, no indentation) where a line's first '+' became a space")
    func lostPlusAtUnindentedLineStart() throws {
        var checked = 0
        while checked < 3 {
            let sealed = Sealed(Sealed.phoneJSON + String(repeating: " ", count: 200))
            let lines = Self.wrapped(sealed.data.encryptedData, width: 76, indent: "", newline: "\r\n").split(separator: "\r\n")
            guard lines.dropFirst().contains(where: { $0.first == "+" }) else { continue }
            let damaged = lines.map { $0.first == "+" ? " " + $0.dropFirst() : $0 }.joined(separator: "\r\n")
            #expect(throws: Never.self) {
                try OpenDataDecryptor(appID: Sealed.appID).decryptJSON(
                    encryptedData: damaged, iv: sealed.data.iv, sessionKey: sealed.sessionKey)
            }
            checked += 1
        }
    }

    @Test("a field of a million blanks costs time, not memory, and fails clearly")
    func manyBlanks() throws {
        let blanks = String(repeating: "A ", count: 500_000)
        let error = #expect(throws: OpenDataError.self) { try SessionKey(base64: blanks) }
        #expect(error?.code == .invalidSessionKey)
    }

    @Test("the session key and iv follow the same rule: indentation and trailing blanks are whitespace")
    func keyAndIVBlanks() throws {
        let key = SessionKey.random()
        #expect(try SessionKey(base64: "\t" + key.base64EncodedString() + " \n") == key)
        let iv = InitializationVector.random()
        #expect(try InitializationVector(base64: "  " + iv.base64EncodedString() + "\r\n").bytes == iv.bytes)
    }
}
