import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import PhoneLogin
import ServiceLifecycle
import Testing
import WeChatOpenData

/// The session stores the tests run against: SQLite always, PostgreSQL when `DATABASE_URL` is set.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgresql

    static var available: [StoreKind] {
        ProcessInfo.processInfo.environment["DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgresql]
    }

    var testDescription: String { rawValue }

    /// A fresh store, the services it needs, and what to remove afterwards.
    func makeStore(logger: Logger) throws -> (store: any SessionStore, services: [any Service], file: URL?) {
        switch self {
        case .sqlite:
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("phone-login-\(UUID()).sqlite")
            return (try SQLiteSessionStore(path: file.path), [], file)
        case .postgresql:
            // A small pool: several suites share one server in CI.
            let store = try PostgresSessionStore(
                url: ProcessInfo.processInfo.environment["DATABASE_URL"]!, maximumConnections: 4, logger: logger)
            return (store, [store.client], nil)
        }
    }
}

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var date = Date(timeIntervalSince1970: 1_700_000_000)

    var now: Date { lock.withLock { date } }
    var timestamp: Int64 { Int64(now.timeIntervalSince1970) }

    func advance(seconds: TimeInterval) { lock.withLock { date += seconds } }
}

/// The server on a loopback port with the fake WeChat on another, as the tests drive them.
struct Backend: Sendable {
    static let number = "13580006666"

    let baseURL: String
    let fake: FakeWeChat
    let clock: TestClock
    let logs: InMemoryLogHandler

    struct Answer {
        let status: Int
        let json: [String: Any]
        let headers: [String: String]

        var error: String? { json["error"] as? String }
    }

    /// Starts both servers, runs `body`, stops them and removes the store's file.
    static func run(
        _ kind: StoreKind, weChatBaseURL: String? = nil, store replacement: (any SessionStore)? = nil,
        _ body: @Sendable (Backend) async throws -> Void
    ) async throws {
        let fake = FakeWeChat()
        let clock = TestClock()
        // Every level, the libraries' debug and trace lines included, must stay free of secrets.
        let logs = {
            var handler = InMemoryLogHandler()
            handler.logLevel = .trace
            return handler
        }()
        let logger = Logger(label: "phone-login-test") { _ in logs }
        try await fake.application().test(.live) { wechat in
            var configuration = PhoneLoginConfiguration(appID: FakeWeChat.appID, appSecret: FakeWeChat.appSecret)
            configuration.weChatAPIBaseURL = try weChatBaseURL ?? "http://127.0.0.1:\(#require(wechat.port))"
            configuration.port = 0
            configuration.now = { clock.now }
            let (store, services, file) = try replacement.map { ($0, [], nil) } ?? kind.makeStore(logger: logger)
            defer {
                for suffix in ["", "-wal", "-shm"] {
                    if let file { try? FileManager.default.removeItem(atPath: file.path + suffix) }
                }
            }
            let app = try buildApplication(configuration: configuration, store: store, services: services, logger: logger)
            try await app.test(.live) { client in
                let backend = Backend(
                    baseURL: "http://127.0.0.1:\(try #require(client.port))", fake: fake, clock: clock, logs: logs)
                try await body(backend)
            }
        }
    }

    func post(_ path: String, _ body: String, client: HTTPClient = .shared) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), json: json, headers: headers)
    }

    func post(_ path: String, _ fields: [String: String], client: HTTPClient = .shared) async throws -> Answer {
        try await post(path, String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self), client: client)
    }

    /// Logs `openID` in through `/api/login` with a fresh code; returns the session token.
    func login(_ openID: String) async throws -> String {
        let answer = try await post("/api/login", ["code": fake.issueCode(for: openID)])
        #expect(answer.status == 200)
        return try #require(answer.json["session"] as? String)
    }

    /// What the mini program posts after the button tap: a phone number encrypted with `key`.
    func phoneRequest(session: String, key: SessionKey, timestamp: Int64? = nil) -> [String: String] {
        let phone = PhoneNumber(
            phoneNumber: Self.number, purePhoneNumber: Self.number, countryCode: "86",
            watermark: Watermark(appID: FakeWeChat.appID, timestamp: timestamp ?? clock.timestamp))
        let sealed = try! OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key)
        return ["session": session, "encryptedData": sealed.encryptedData, "iv": sealed.iv]
    }

    /// The log messages (with their metadata) written so far.
    var logLines: [String] { logs.entries.map { "\($0.message) \($0.metadata)" } }

    /// No log line holds a key WeChat issued, the app secret, an access token or the phone number.
    func expectNoSecretsInLogs(keys: [SessionKey]) {
        let secrets = keys.map { $0.base64EncodedString() } + [FakeWeChat.appSecret, "ACCESS_TOKEN_", Self.number]
        for line in logLines {
            for secret in secrets { #expect(!line.contains(secret), "a log line holds a secret") }
        }
    }
}
