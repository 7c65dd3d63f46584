import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import WeChatOpenData

/// WeChat's server API as a login backend uses it: `jscode2session`, the access token, and
/// `checksession`, at a configurable base URL so that tests can stand a fake in for WeChat.
///
/// The app secret and the access token never appear in a description or a log line.
public struct WeChatAPI: Sendable, CustomStringConvertible {
    /// What `jscode2session` returns for a login code.
    public struct CodeSession: Sendable {
        /// The user's openid for this mini program.
        public let openID: String
        /// The user's unionid, when the mini program is bound to an Open Platform account.
        public let unionID: String?
        /// The new session key.
        public let sessionKey: SessionKey
    }

    /// The base URL, `https://api.weixin.qq.com` in production.
    public let baseURL: String
    let appID: String
    let appSecret: String
    let httpClient: HTTPClient
    let accessTokens: AccessTokenCache
    let now: @Sendable () -> Date
    let timeout: TimeAmount

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - baseURL: WeChat's API base URL, without a trailing slash.
    ///   - appID: The mini program's appid.
    ///   - appSecret: The mini program's app secret.
    ///   - httpClient: The HTTP client; the process-wide shared one by default.
    ///   - timeout: How long one call to WeChat may take.
    ///   - now: The clock that decides when the cached access token is refreshed.
    public init(
        baseURL: String, appID: String, appSecret: String, httpClient: HTTPClient = .shared,
        timeout: TimeAmount = .seconds(10), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.appID = appID
        self.appSecret = appSecret
        self.httpClient = httpClient
        self.timeout = timeout
        self.now = now
        accessTokens = AccessTokenCache()
    }

    /// `WeChatAPI(https://api.weixin.qq.com, appid: wx…)`: the secret is never printed.
    public var description: String { "WeChatAPI(\(baseURL), appid: \(appID))" }

    /// Exchanges a login code from `wx.login` for the user's openid and session key.
    ///
    /// - Parameters:
    ///   - code: The code the mini program posted.
    ///   - logger: Where transport failures are logged.
    /// - Returns: The openid, unionid and session key.
    /// - Throws: ``WeChatAPIError`` with WeChat's errcode, or without one when WeChat could not be reached.
    public func codeToSession(_ code: String, logger: Logger) async throws(WeChatAPIError) -> CodeSession {
        let reply = try await get(
            api: "jscode2session", path: "/sns/jscode2session",
            query: [("appid", appID), ("secret", appSecret), ("js_code", code), ("grant_type", "authorization_code")],
            logger: logger)
        guard let openID = reply.openid, !openID.isEmpty, let keyText = reply.session_key else {
            throw WeChatAPIError(api: "jscode2session", errcode: nil, message: "the answer has no openid or session_key")
        }
        do throws(OpenDataError) {
            return CodeSession(openID: openID, unionID: reply.unionid, sessionKey: try SessionKey(base64: keyText))
        } catch {
            throw WeChatAPIError(api: "jscode2session", errcode: nil, message: "session_key: \(error.reason)")
        }
    }

    /// Asks WeChat whether it still considers a session key valid, signing with the key's
    /// login-state signature (HMAC-SHA256, `sig_method=hmac_sha256`).
    ///
    /// - Parameters:
    ///   - openID: The user's openid.
    ///   - sessionKey: The key this backend holds for the user.
    ///   - logger: Where transport failures are logged.
    /// - Returns: `true` when WeChat accepts the signature, `false` when it answers 87009.
    /// - Throws: ``WeChatAPIError`` for any other errcode or a failed call.
    public func checkSession(openID: String, sessionKey: SessionKey, logger: Logger) async throws(WeChatAPIError) -> Bool {
        let signature = sessionKey.loginStateSignature()
        // A token revoked early (another server fetched a new one) is refreshed once and the call repeated.
        for attempt in 1...2 {
            let token = try await accessToken(logger: logger)
            do throws(WeChatAPIError) {
                _ = try await get(
                    api: "checksession", path: "/wxa/checksession",
                    query: [("access_token", token), ("signature", signature), ("openid", openID), ("sig_method", "hmac_sha256")],
                    logger: logger)
                return true
            } catch where error.errcode == WeChatAPIError.Known.invalidSignature {
                return false
            } catch where error.isStaleAccessToken && attempt == 1 {
                await accessTokens.discard(token)
            }
        }
        throw WeChatAPIError(api: "checksession", errcode: nil, message: "a freshly fetched access token was rejected")
    }

    /// The access token for `checksession`: fetched with the appid and secret, then reused
    /// until shortly before it expires.
    func accessToken(logger: Logger) async throws(WeChatAPIError) -> String {
        try await accessTokens.token(now: now()) { () async throws(WeChatAPIError) in
            let reply = try await get(
                api: "token", path: "/cgi-bin/token",
                query: [("grant_type", "client_credential"), ("appid", appID), ("secret", appSecret)], logger: logger)
            guard let token = reply.access_token, !token.isEmpty, let expiresIn = reply.expires_in, expiresIn > 0 else {
                throw WeChatAPIError(api: "token", errcode: nil, message: "the answer has no access_token or expires_in")
            }
            return (token, expiresIn)
        }
    }

    /// Every field the three APIs answer with; WeChat answers HTTP 200 with `errcode` on failure.
    struct Reply: Decodable {
        var errcode: Int?
        var errmsg: String?
        var openid: String?
        var unionid: String?
        var session_key: String?
        var access_token: String?
        var expires_in: Int?
    }

    private func get(
        api: String, path: String, query: [(String, String)], logger: Logger
    ) async throws(WeChatAPIError) -> Reply {
        let request = HTTPClientRequest(url: baseURL + path + "?" + Self.formEncoded(query))
        let reply: Reply
        do {
            let response = try await httpClient.execute(request, timeout: timeout, logger: logger)
            guard response.status == .ok else {
                throw WeChatAPIError(api: api, errcode: nil, message: "HTTP status \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: 64 * 1024)
            reply = try JSONDecoder().decode(Reply.self, from: Data(buffer: body))
        } catch let error as WeChatAPIError {
            throw error
        } catch is DecodingError {
            throw WeChatAPIError(api: api, errcode: nil, message: "the answer is not the JSON WeChat sends")
        } catch {
            // The request URL holds the secret or the access token: say what failed, never the request.
            throw WeChatAPIError(api: api, errcode: nil, message: "the call failed: \(error)")
        }
        if let errcode = reply.errcode, errcode != 0 {
            throw WeChatAPIError(api: api, errcode: errcode, message: reply.errmsg ?? "")
        }
        return reply
    }

    /// `application/x-www-form-urlencoded` query text; only unreserved characters stay as they are.
    static func formEncoded(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}

/// The one access token this process holds, shared by every request, refreshed by one fetch at a time.
actor AccessTokenCache {
    private var cached: (token: String, refreshAt: Date)?
    private var fetching: Task<(token: String, refreshAt: Date), any Error>?

    /// The cached token, or a new one from `fetch` (which returns the token and its lifetime in seconds).
    func token(
        now: Date, fetch: @escaping @Sendable () async throws(WeChatAPIError) -> (String, Int)
    ) async throws(WeChatAPIError) -> String {
        if let cached, now < cached.refreshAt { return cached.token }
        let task: Task<(token: String, refreshAt: Date), any Error>
        if let fetching {
            task = fetching
        } else {
            task = Task {
                let (token, expiresIn) = try await fetch()
                // Refresh a little early so a token never expires in the middle of a call.
                let margin = min(300, expiresIn / 10)
                return (token, now.addingTimeInterval(TimeInterval(expiresIn - margin)))
            }
            fetching = task
        }
        defer { if fetching == task { fetching = nil } }
        do {
            let fresh = try await task.value
            cached = fresh
            return fresh.token
        } catch let error as WeChatAPIError {
            throw error
        } catch {
            throw WeChatAPIError(api: "token", errcode: nil, message: "\(error)")
        }
    }

    /// Forgets `token` if it is still the cached one, so that the next call fetches a new one.
    func discard(_ token: String) {
        if cached?.token == token { cached = nil }
    }
}
