import Crypto
import Foundation
import Hummingbird
import WeChatOpenData

/// A stand-in for WeChat's server API on a loopback port: it issues login codes and session
/// keys (a new key on every login after the first, as a `wx.login` in the button callback
/// causes), access tokens, and checks `checksession` signatures against the key it holds.
final class FakeWeChat: @unchecked Sendable {
    static let appID = "wx4f4bc4dec97d474b"
    static let appSecret = "0123456789abcdef0123456789abcdef"

    private enum Code {
        case login(openID: String)
        case failure(errcode: Int, errmsg: String)
    }

    private let lock = NSLock()
    private var codes: [String: Code] = [:]
    private var usedCodes: Set<String> = []
    private var keys: [String: SessionKey] = [:]
    private var validTokens: Set<String> = []
    private var tokensIssued = 0
    private var checks: [(openID: String, valid: Bool)] = []

    private func locked<Value>(_ body: () throws -> Value) rethrows -> Value {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// A code that logs `openID` in, as `wx.login` would hand the mini program.
    func issueCode(for openID: String) -> String {
        let code = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        locked { codes[code] = .login(openID: openID) }
        return code
    }

    /// A code whose exchange fails with WeChat's `errcode`.
    func issueFailingCode(errcode: Int, errmsg: String) -> String {
        let code = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        locked { codes[code] = .failure(errcode: errcode, errmsg: errmsg) }
        return code
    }

    /// The key WeChat holds for `openID` now: the key its data is encrypted with.
    func sessionKey(of openID: String) -> SessionKey? { locked { keys[openID] } }

    /// Replaces the user's key without a login, as `resetusersessionkey` does: the backend's key goes stale.
    func resetSessionKey(of openID: String) { locked { keys[openID] = SessionKey.random() } }

    /// Revokes every access token, as fetching a token elsewhere eventually does.
    func revokeAccessTokens() { locked { validTokens.removeAll() } }

    /// How many access tokens were fetched.
    var accessTokensIssued: Int { locked { tokensIssued } }

    /// The checksession calls made, with WeChat's verdict.
    var sessionChecks: [(openID: String, valid: Bool)] { locked { checks } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/sns/jscode2session") { request, _ in self.codeToSession(request) }
        router.get("/cgi-bin/token") { request, _ in self.token(request) }
        router.get("/wxa/checksession") { request, _ in self.checkSession(request) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    private func credentialsError(_ request: Request) -> Response? {
        let query = request.uri.queryParameters
        if query["appid"] != Self.appID[...] { return Self.reply(["errcode": 40013, "errmsg": "invalid appid"]) }
        if query["secret"] != Self.appSecret[...] { return Self.reply(["errcode": 40125, "errmsg": "invalid appsecret"]) }
        return nil
    }

    private func codeToSession(_ request: Request) -> Response {
        if let error = credentialsError(request) { return error }
        let query = request.uri.queryParameters
        guard query["grant_type"] == "authorization_code", let code = query["js_code"].map(String.init) else {
            return Self.reply(["errcode": 40002, "errmsg": "invalid grant_type"])
        }
        return locked {
            guard let issued = codes[code] else { return Self.reply(["errcode": 40029, "errmsg": "invalid code"]) }
            guard usedCodes.insert(code).inserted else { return Self.reply(["errcode": 40163, "errmsg": "code been used"]) }
            switch issued {
            case .failure(let errcode, let errmsg):
                return Self.reply(["errcode": errcode, "errmsg": errmsg])
            case .login(let openID):
                let key = SessionKey.random()
                keys[openID] = key
                return Self.reply(["openid": openID, "session_key": key.base64EncodedString()])
            }
        }
    }

    private func token(_ request: Request) -> Response {
        if let error = credentialsError(request) { return error }
        let query = request.uri.queryParameters
        guard query["grant_type"] == "client_credential" else {
            return Self.reply(["errcode": 40002, "errmsg": "invalid grant_type"])
        }
        let token = locked {
            tokensIssued += 1
            let token = "ACCESS_TOKEN_\(tokensIssued)"
            validTokens.insert(token)
            return token
        }
        return Self.reply(["access_token": token, "expires_in": 7200])
    }

    /// WeChat's rule: `signature` is HMAC-SHA256 of the empty string keyed by the user's current
    /// session key, in hex, with `sig_method=hmac_sha256`.
    private func checkSession(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        return locked {
            guard let token = query["access_token"], validTokens.contains(String(token)) else {
                return Self.reply(["errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"])
            }
            guard query["sig_method"] == "hmac_sha256", let openID = query["openid"].map(String.init),
                let signature = query["signature"], let key = keys[openID]
            else { return Self.reply(["errcode": 87009, "errmsg": "invalid signature"]) }
            let valid = signature == Self.loginStateSignature(key)[...]
            checks.append((openID, valid))
            return valid ? Self.reply(["errcode": 0, "errmsg": "ok"]) : Self.reply(["errcode": 87009, "errmsg": "invalid signature"])
        }
    }

    /// Computed here with swift-crypto, apart from the library's own implementation under test.
    private static func loginStateSignature(_ key: SessionKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data(key.base64EncodedString().utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// WeChat answers HTTP 200 with a JSON object, errors included.
    private static func reply(_ object: [String: any Sendable]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
