import Foundation
import WeChatOpenData

/// Where logins are kept: one row per user (openid) with the session token this server issued,
/// the current session key, and the key the latest login replaced with the time it was replaced.
///
/// A login replaces the user's token, so a token from an earlier login stops working. When
/// WeChat returns the same key again, the previous key and its time are kept as they were.
public protocol SessionStore: Sendable {
    /// Creates or updates the store's table; safe to run on every start and from several servers at once.
    func migrate() async throws

    /// Records a login for `openID`: the new token and key, and the replaced key if it differs.
    ///
    /// - Parameter login: What the login produced.
    func recordLogin(_ login: SessionLogin) async throws

    /// The session a token belongs to.
    ///
    /// - Parameter token: A token this server issued.
    /// - Returns: The session, or `nil` when no user holds this token.
    func session(token: String) async throws -> StoredSession?
}

/// What a login writes to the store.
public struct SessionLogin: Sendable {
    /// The opaque token the mini program sends back.
    public let token: String
    /// The user's openid.
    public let openID: String
    /// The user's unionid, if WeChat sent one.
    public let unionID: String?
    /// The session key `jscode2session` returned.
    public let sessionKey: SessionKey
    /// When the login happened.
    public let at: Date

    /// Creates a login record.
    public init(token: String, openID: String, unionID: String?, sessionKey: SessionKey, at: Date) {
        self.token = token
        self.openID = openID
        self.unionID = unionID
        self.sessionKey = sessionKey
        self.at = at
    }
}

/// A user's session as stored. Its keys are ``SessionKey`` values, so printing it shows no secret.
public struct StoredSession: Sendable {
    /// The user's openid.
    public let openID: String
    /// The key of the latest login.
    public let sessionKey: SessionKey
    /// The key the latest login replaced, if any.
    public let previousSessionKey: SessionKey?
    /// When ``previousSessionKey`` was replaced.
    public let keyReplacedAt: Date?

    /// Reads a row: the keys as the base64 text the store holds.
    init(openID: String, sessionKey: String, previousSessionKey: String?, keyReplacedAt: Date?) throws {
        self.openID = openID
        self.sessionKey = try SessionKey(base64: sessionKey)
        self.previousSessionKey = try previousSessionKey.map { try SessionKey(base64: $0) }
        self.keyReplacedAt = keyReplacedAt
    }

    /// The keys to decrypt with at `now`: the previous key only while it was replaced less than `window` ago.
    public func keyRing(now: Date, window: Duration) -> SessionKeyRing {
        guard let previousSessionKey, let keyReplacedAt,
            now.timeIntervalSince(keyReplacedAt) <= TimeInterval(window.components.seconds)
        else { return SessionKeyRing(current: sessionKey) }
        return SessionKeyRing(current: sessionKey, previous: previousSessionKey)
    }
}

/// The table both stores create, and the login statement they share; only the placeholders differ.
enum SessionTable {
    static let name = "phone_login_session"

    /// An upsert that moves the stored key to `previous_session_key` only when the new key differs.
    /// SQLite and PostgreSQL both evaluate every `SET` expression against the old row.
    static func recordLoginSQL(placeholders p: [String]) -> String {
        """
        INSERT INTO \(name) (openid, token, unionid, session_key, previous_session_key, key_replaced_at, logged_in_at)
        VALUES (\(p[0]), \(p[1]), \(p[2]), \(p[3]), NULL, NULL, \(p[4]))
        ON CONFLICT (openid) DO UPDATE SET
            token = excluded.token,
            unionid = COALESCE(excluded.unionid, \(name).unionid),
            previous_session_key = CASE WHEN \(name).session_key = excluded.session_key
                THEN \(name).previous_session_key ELSE \(name).session_key END,
            key_replaced_at = CASE WHEN \(name).session_key = excluded.session_key
                THEN \(name).key_replaced_at ELSE excluded.logged_in_at END,
            session_key = excluded.session_key,
            logged_in_at = excluded.logged_in_at
        """
    }

    static func sessionSQL(placeholder: String) -> String {
        "SELECT openid, session_key, previous_session_key, key_replaced_at FROM \(name) WHERE token = \(placeholder)"
    }
}
