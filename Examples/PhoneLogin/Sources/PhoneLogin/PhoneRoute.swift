import Foundation
import Hummingbird
import Logging
import WeChatOpenData

/// `POST /api/phone {"session", "encryptedData", "iv"}`: decrypts the phone number with the
/// session's key ring and answers `{"phoneNumber", "purePhoneNumber", "countryCode"}`.
///
/// Every failure of the data (unknown session, bad input, wrong key, stale payload) gets the
/// same 400: the client learns nothing about which step failed. The server log says which,
/// never with a key, the plaintext or a number.
struct PhoneRoute: Sendable {
    let decryptor: OpenDataDecryptor
    let store: any SessionStore
    let configuration: PhoneLoginConfiguration

    struct Input: Decodable {
        let session: String
        let encryptedData: String
        let iv: String
    }

    struct Output: Encodable {
        let phoneNumber: String
        let purePhoneNumber: String
        let countryCode: String
    }

    func respond(to request: Request, context: some RequestContext) async throws(ClientAnswer) -> Response {
        let input: Input
        do {
            input = try await decodeBody(Input.self, from: request, limit: configuration.maximumBodySize, context: context)
        } catch {
            var answer = ClientAnswer.phoneNotVerified
            if error.status == .contentTooLarge { answer.status = .contentTooLarge }
            throw answer
        }
        guard let stored = try await withStore(context.logger, { try await store.session(token: input.session) }) else {
            context.logger.notice("phone: unknown session")
            throw .phoneNotVerified
        }
        let now = configuration.now()
        let ring = stored.keyRing(now: now, window: configuration.previousKeyWindow)
        let replaced = stored.keyReplacedAt.map { "\(Int(now.timeIntervalSince($0)))" } ?? "never"
        let result: SessionKeyRing.Decryption<PhoneNumber>
        do throws(OpenDataError) {
            result = try decryptor.decrypt(
                PhoneNumber.self, encryptedData: input.encryptedData, iv: input.iv, sessionKeys: ring)
        } catch {
            var metadata: Logger.Metadata = ["field": "\(error.field ?? "-")", "key_replaced_seconds_ago": "\(replaced)"]
            if stored.previousSessionKey != nil, ring.previous == nil { metadata["previous_key"] = "past its window" }
            context.logger.notice("phone: \(error.code)", metadata: metadata)
            throw .phoneNotVerified
        }
        if result.matchedKey == .previous {
            context.logger.notice(
                """
                phone: decrypted with the previous session key; the mini program called wx.login after the button tap \
                (call wx.checkSession before wx.login, or log in before showing the button)
                """,
                metadata: ["key_replaced_seconds_ago": "\(replaced)"])
        }
        let phone = result.payload
        return jsonResponse(
            Output(phoneNumber: phone.phoneNumber, purePhoneNumber: phone.purePhoneNumber, countryCode: phone.countryCode))
    }
}
