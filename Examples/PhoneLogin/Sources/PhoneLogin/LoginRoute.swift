import Foundation
import Hummingbird
import Logging

/// `POST /api/login {"code"}`: exchanges the `wx.login` code with WeChat, stores the session
/// key (keeping the one it replaces), and answers `{"session": "<opaque token>"}`.
struct LoginRoute: Sendable {
    let weChat: WeChatAPI
    let store: any SessionStore
    let configuration: PhoneLoginConfiguration

    struct Input: Decodable {
        let code: String
    }

    struct Output: Encodable {
        let session: String
    }

    func respond(to request: Request, context: some RequestContext) async throws(ClientAnswer) -> Response {
        let input = try await decodeBody(Input.self, from: request, limit: configuration.maximumBodySize, context: context)
        // WeChat's codes are 32 characters; refuse what cannot be one before spending a call on it.
        guard !input.code.isEmpty, input.code.utf8.count <= 128 else {
            throw ClientAnswer(status: .badRequest, error: "invalid_code", message: "code must be the text wx.login returned")
        }
        let session: WeChatAPI.CodeSession
        do {
            session = try await weChat.codeToSession(input.code, logger: context.logger)
        } catch {
            context.logger.notice("login: \(error)")
            throw error.clientAnswer
        }
        let token = Self.newToken()
        try await withStore(context.logger) {
            try await store.recordLogin(
                SessionLogin(
                    token: token, openID: session.openID, unionID: session.unionID, sessionKey: session.sessionKey,
                    at: configuration.now()))
        }
        return jsonResponse(Output(session: token))
    }

    /// 32 bytes from the system's CSPRNG, as unpadded base64url: unguessable, and safe in any header or URL.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
