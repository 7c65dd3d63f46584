import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PhoneLogin
import ServiceLifecycle
import Testing
import WeChatOpenData

@Suite("Session stores")
struct SessionStoreTests {
    /// Runs `body` with a migrated store of `kind` (and its services running).
    func withStore(_ kind: StoreKind, _ body: @Sendable @escaping (any SessionStore) async throws -> Void) async throws {
        let logger = Logger(label: "store-test")
        let (store, services, file) = try kind.makeStore(logger: logger)
        defer {
            for suffix in ["", "-wal", "-shm"] {
                if let file { try? FileManager.default.removeItem(atPath: file.path + suffix) }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            // Migrating twice, as a restart or a second server does, must be harmless.
            try await store.migrate()
            try await store.migrate()
            try await body(store)
            group.cancelAll()
        }
    }

    @Test("a login moves the replaced key to previous, a repeated key keeps it, a new token replaces the old",
          arguments: StoreKind.available)
    func rotation(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let openID = "o-\(UUID())"
            let (a, b, c) = (SessionKey.random(), SessionKey.random(), SessionKey.random())
            let t0 = Date(timeIntervalSince1970: 1_700_000_000)
            func login(_ token: String, _ key: SessionKey, at seconds: TimeInterval) async throws {
                try await store.recordLogin(
                    SessionLogin(token: token, openID: openID, unionID: nil, sessionKey: key, at: t0 + seconds))
            }
            try await login("\(openID)-1", a, at: 0)
            var session = try #require(try await store.session(token: "\(openID)-1"))
            #expect(session.openID == openID && session.sessionKey == a)
            #expect(session.previousSessionKey == nil && session.keyReplacedAt == nil)

            try await login("\(openID)-2", b, at: 10)
            #expect(try await store.session(token: "\(openID)-1") == nil)
            session = try #require(try await store.session(token: "\(openID)-2"))
            #expect(session.sessionKey == b && session.previousSessionKey == a)
            #expect(session.keyReplacedAt == t0 + 10)

            // WeChat may return the same key again: the previous key and its time stay as they were.
            try await login("\(openID)-3", b, at: 20)
            session = try #require(try await store.session(token: "\(openID)-3"))
            #expect(session.sessionKey == b && session.previousSessionKey == a && session.keyReplacedAt == t0 + 10)

            try await login("\(openID)-4", c, at: 30)
            session = try #require(try await store.session(token: "\(openID)-4"))
            #expect(session.sessionKey == c && session.previousSessionKey == b && session.keyReplacedAt == t0 + 30)

            // The ring holds the previous key only inside its window.
            #expect(session.keyRing(now: t0 + 330, window: .seconds(300)).previous == b)
            #expect(session.keyRing(now: t0 + 331, window: .seconds(300)).previous == nil)
        }
    }

    @Test("the SQLite file is created readable by its owner only")
    func sqliteFileMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mode-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try SQLiteSessionStore(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

@Suite("Configuration from the environment")
struct ConfigurationTests {
    let minimal = ["WX_APPID": "wx4f4bc4dec97d474b", "WX_APP_SECRET": "s3cret"]

    @Test("defaults: SQLite, WeChat's own API, a 300 s window; the secret is never printed")
    func defaults() throws {
        let configuration = try PhoneLoginConfiguration(environment: minimal)
        #expect(configuration.databaseURL == nil && configuration.sqlitePath == "phone-login.sqlite")
        #expect(configuration.weChatAPIBaseURL == "https://api.weixin.qq.com")
        #expect(configuration.previousKeyWindow == .seconds(300) && configuration.port == 8080)
        #expect(!configuration.description.contains("s3cret"))
        var withDatabase = minimal
        withDatabase["DATABASE_URL"] = "postgres://app:pw@127.0.0.1:5432/app"
        withDatabase["PREVIOUS_KEY_WINDOW_SECONDS"] = "120"
        let postgres = try PhoneLoginConfiguration(environment: withDatabase)
        #expect(postgres.databaseURL != nil && postgres.previousKeyWindow == .seconds(120))
        #expect(!postgres.description.contains("pw"))
    }

    @Test("a missing or unusable variable is named in the error")
    func errors() throws {
        let cases: [([String: String], String)] = [
            (["WX_APPID": "wx4f4bc4dec97d474b"], "WX_APP_SECRET is required"),
            (["WX_APP_SECRET": "s"], "WX_APPID is required"),
            (minimal.merging(["PORT": "http"]) { $1 }, "PORT must be a whole number from 0 to 65535"),
            (minimal.merging(["PREVIOUS_KEY_WINDOW_SECONDS": "86400"]) { $1 }, "PREVIOUS_KEY_WINDOW_SECONDS must be"),
            (minimal.merging(["WECHAT_API_BASE_URL": "api.weixin.qq.com"]) { $1 }, "WECHAT_API_BASE_URL must be an http"),
        ]
        for (environment, expected) in cases {
            let error = #expect(throws: ConfigurationError.self) { try PhoneLoginConfiguration(environment: environment) }
            #expect(error?.description.hasPrefix(expected) == true, "\(error.map(String.init(describing:)) ?? "no error")")
        }
        for url in ["mysql://x@y/z", "postgres://", "postgres://h/db?sslmode=allow"] {
            let error = #expect(throws: ConfigurationError.self) {
                try PostgresSessionStore(url: url, logger: Logger(label: "test"))
            }
            #expect(error?.variable == "DATABASE_URL")
        }
    }
}
