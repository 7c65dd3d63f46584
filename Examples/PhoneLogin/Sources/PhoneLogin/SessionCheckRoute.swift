import Hummingbird
import Logging

/// `POST /api/session/check {"session"}`: asks WeChat's `checksession` whether the key this
/// server holds for the session is still valid. Answers `{"valid": true}`, or `{"valid": false,
/// "message": …}` when the mini program should log in again.
struct SessionCheckRoute: Sendable {
    let weChat: WeChatAPI
    let store: any SessionStore
    let configuration: PhoneLoginConfiguration

    struct Input: Decodable {
        let session: String
    }

    struct Output: Encodable {
        let valid: Bool
        let message: String?
    }

    func respond(to request: Request, context: some RequestContext) async throws(ClientAnswer) -> Response {
        let input = try await decodeBody(Input.self, from: request, limit: configuration.maximumBodySize, context: context)
        guard let stored = try await withStore(context.logger, { try await store.session(token: input.session) }) else {
            context.logger.notice("session check: unknown session")
            throw .unknownSession
        }
        let valid: Bool
        do {
            valid = try await weChat.checkSession(openID: stored.openID, sessionKey: stored.sessionKey, logger: context.logger)
        } catch {
            context.logger.notice("session check: \(error)")
            throw error.clientAnswer
        }
        if !valid { context.logger.notice("session check: WeChat no longer accepts the stored session key") }
        return jsonResponse(
            Output(valid: valid, message: valid ? nil : "WeChat no longer accepts this session; call wx.login and log in again"))
    }
}
