import AsyncHTTPClient
import Foundation
import PhoneLogin
import Testing
import WeChatOpenData

/// The backend on a loopback port, with the fake WeChat on another, driven by real HTTP requests.
@Suite("Login, phone and session check over HTTP")
struct PhoneLoginTests {
    static let notVerified = "not_verified"

    @Test("login, then the phone number, then checksession: the normal flow", arguments: StoreKind.available)
    func normalFlow(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let session = try await backend.login("o-alice")
            let key = try #require(backend.fake.sessionKey(of: "o-alice"))
            let phone = try await backend.post("/api/phone", backend.phoneRequest(session: session, key: key))
            #expect(phone.status == 200)
            #expect(phone.json as? [String: String]
                == ["phoneNumber": Backend.number, "purePhoneNumber": Backend.number, "countryCode": "86"])
            let check = try await backend.post("/api/session/check", ["session": session])
            #expect(check.status == 200 && check.json["valid"] as? Bool == true)
            #expect(backend.fake.sessionChecks.map(\.valid) == [true])
            #expect(!backend.logLines.contains { $0.contains("previous session key") })
            backend.expectNoSecretsInLogs(keys: [key])
        }
    }

    @Test("wx.login after the tap: the data decrypts with the previous key, and the log says so",
          arguments: StoreKind.available)
    func staleKey(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let first = try await backend.login("o-bob")
            let oldKey = try #require(backend.fake.sessionKey(of: "o-bob"))
            let tapped = backend.phoneRequest(session: "", key: oldKey)  // encrypted before the second login
            backend.clock.advance(seconds: 20)
            let second = try await backend.login("o-bob")
            let newKey = try #require(backend.fake.sessionKey(of: "o-bob"))
            #expect(newKey != oldKey && first != second)

            var request = tapped
            request["session"] = second
            let phone = try await backend.post("/api/phone", request)
            #expect(phone.status == 200 && phone.json["purePhoneNumber"] as? String == Backend.number)
            let note = backend.logs.entries.first { "\($0.message)".contains("decrypted with the previous session key") }
            #expect(note?.level == .notice)
            #expect(note?.metadata["key_replaced_seconds_ago"] == "0")

            // The first login's token was replaced; the server's current key is still valid at WeChat.
            request["session"] = first
            #expect(try await backend.post("/api/phone", request).error == Self.notVerified)
            let check = try await backend.post("/api/session/check", ["session": second])
            #expect(check.json["valid"] as? Bool == true)
            backend.expectNoSecretsInLogs(keys: [oldKey, newKey])
        }
    }

    @Test("a previous key past its window no longer decrypts, though the payload itself is fresh",
          arguments: StoreKind.available)
    func previousKeyPastWindow(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            _ = try await backend.login("o-carol")
            let oldKey = try #require(backend.fake.sessionKey(of: "o-carol"))
            let session = try await backend.login("o-carol")
            let newKey = try #require(backend.fake.sessionKey(of: "o-carol"))
            backend.clock.advance(seconds: 301)

            let stale = try await backend.post("/api/phone", backend.phoneRequest(session: session, key: oldKey))
            #expect(stale.status == 400 && stale.error == Self.notVerified)
            let failure = backend.logs.entries.first { "\($0.message)" == "phone: decryption_failed" }
            #expect(failure?.metadata["previous_key"] == "past its window")
            #expect(failure?.metadata["key_replaced_seconds_ago"] == "301")
            // The same moment with the current key succeeds: the window, not freshness, refused the old key.
            let current = try await backend.post("/api/phone", backend.phoneRequest(session: session, key: newKey))
            #expect(current.status == 200)
        }
    }

    @Test("an unknown session gets the uniform 400 on /api/phone and 401 on /api/session/check",
          arguments: StoreKind.available)
    func unknownSession(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let phone = try await backend.post("/api/phone", backend.phoneRequest(session: "nobody", key: .random()))
            #expect(phone.status == 400 && phone.error == Self.notVerified)
            let check = try await backend.post("/api/session/check", ["session": "nobody"])
            #expect(check.status == 401 && check.error == "unknown_session")
            #expect(backend.logLines.contains { $0.hasPrefix("phone: unknown session") })
            #expect(backend.fake.sessionChecks.isEmpty)
        }
    }

    @Test("WeChat's errors become clear answers: invalid code, code used, rate limit, system busy, high risk",
          arguments: StoreKind.available)
    func weChatErrors(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let invalid = try await backend.post("/api/login", ["code": "never-issued"])
            #expect(invalid.status == 400 && invalid.error == "invalid_code")
            let code = backend.fake.issueCode(for: "o-dave")
            #expect(try await backend.post("/api/login", ["code": code]).status == 200)
            let reused = try await backend.post("/api/login", ["code": code])
            #expect(reused.status == 400 && reused.error == "code_used")
            let limited = try await backend.post(
                "/api/login", ["code": backend.fake.issueFailingCode(errcode: 45011, errmsg: "api minute-quota reach limit")])
            #expect(limited.status == 429 && limited.error == "rate_limited" && limited.headers["retry-after"] == "60")
            let busy = try await backend.post(
                "/api/login", ["code": backend.fake.issueFailingCode(errcode: -1, errmsg: "system error")])
            #expect(busy.status == 503 && busy.error == "wechat_busy" && busy.headers["retry-after"] == "2")
            let other = try await backend.post(
                "/api/login", ["code": backend.fake.issueFailingCode(errcode: 40226, errmsg: "high risk user")])
            #expect(other.status == 403 && other.error == "login_refused")
            let empty = try await backend.post("/api/login", ["code": ""])
            #expect(empty.status == 400 && empty.error == "invalid_code")
            for answer in [invalid, reused, limited, busy, other] {
                #expect((answer.json["message"] as? String)?.isEmpty == false)
            }
            // WeChat's own words go to the log, for the developer.
            #expect(backend.logLines.contains { $0.contains("jscode2session: errcode 45011 (api minute-quota reach limit)") })
        }
    }

    @Test("WeChat out of reach: 502 with a clear answer")
    func weChatUnreachable() async throws {
        // Nothing listens on port 1 of the loopback; AsyncHTTPClient retries until the 10 s call timeout.
        try await Backend.run(.sqlite, weChatBaseURL: "http://127.0.0.1:1") { backend in
            let answer = try await backend.post("/api/login", ["code": "abc"])
            #expect(answer.status == 502 && answer.error == "wechat_unreachable")
            #expect(backend.logLines.contains { $0.hasPrefix("login: jscode2session: the call failed") })
            backend.expectNoSecretsInLogs(keys: [])
        }
    }

    @Test("a database that fails: 503 with Retry-After on every route")
    func storeUnavailable() async throws {
        struct BrokenStore: SessionStore {
            struct Down: Error {}
            func migrate() async throws {}
            func recordLogin(_ login: SessionLogin) async throws { throw Down() }
            func session(token: String) async throws -> StoredSession? { throw Down() }
        }
        try await Backend.run(.sqlite, store: BrokenStore()) { backend in
            let login = try await backend.post("/api/login", ["code": backend.fake.issueCode(for: "o-ivan")])
            let phone = try await backend.post("/api/phone", backend.phoneRequest(session: "s", key: .random()))
            let check = try await backend.post("/api/session/check", ["session": "s"])
            for answer in [login, phone, check] {
                #expect(answer.status == 503 && answer.error == "store_unavailable" && answer.headers["retry-after"] == "2")
            }
            #expect(backend.logs.entries.filter { $0.level == .error }.count == 3)
        }
    }

    @Test("checksession: a key WeChat replaced is reported invalid; the access token is cached and refreshed",
          arguments: StoreKind.available)
    func sessionCheck(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let session = try await backend.login("o-erin")
            #expect(try await backend.post("/api/session/check", ["session": session]).json["valid"] as? Bool == true)
            backend.fake.resetSessionKey(of: "o-erin")
            let stale = try await backend.post("/api/session/check", ["session": session])
            #expect(stale.status == 200 && stale.json["valid"] as? Bool == false)
            #expect((stale.json["message"] as? String)?.contains("log in again") == true)
            #expect(backend.fake.accessTokensIssued == 1)

            // A revoked token is replaced once and the call repeated.
            backend.fake.revokeAccessTokens()
            let fresh = try await backend.login("o-erin")
            #expect(try await backend.post("/api/session/check", ["session": fresh]).json["valid"] as? Bool == true)
            #expect(backend.fake.accessTokensIssued == 2)
            // Shortly before its 7,200 s expire, the token is fetched anew.
            backend.clock.advance(seconds: 6_000)
            _ = try await backend.post("/api/session/check", ["session": fresh])
            #expect(backend.fake.accessTokensIssued == 2)
            backend.clock.advance(seconds: 1_000)
            _ = try await backend.post("/api/session/check", ["session": fresh])
            #expect(backend.fake.accessTokensIssued == 3)
            #expect(backend.fake.sessionChecks.map(\.valid) == [true, false, true, true, true])
        }
    }

    @Test("malformed and oversized bodies: the uniform 400 on /api/phone, 413 when too large",
          arguments: StoreKind.available)
    func malformedBodies(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let session = try await backend.login("o-frank")
            let key = try #require(backend.fake.sessionKey(of: "o-frank"))
            var badIV = backend.phoneRequest(session: session, key: key)
            badIV["iv"] = "%%%"
            let foreignKey = backend.phoneRequest(session: session, key: .random())
            let old = backend.phoneRequest(session: session, key: key, timestamp: backend.clock.timestamp - 3600)
            for body in [badIV, foreignKey, old] {
                let answer = try await backend.post("/api/phone", body)
                #expect(answer.status == 400 && answer.error == Self.notVerified)
            }
            #expect(try await backend.post("/api/phone", "not json").error == Self.notVerified)
            let huge = try await backend.post("/api/phone", String(repeating: "x", count: 20_000))
            #expect(huge.status == 413 && huge.error == Self.notVerified)
            #expect(try await backend.post("/api/login", "{}").error == "malformed_request")
            backend.expectNoSecretsInLogs(keys: [key])
        }
    }

    @Test("1,000 concurrent phone requests, current and previous keys and wrong ones, every answer correct",
          arguments: StoreKind.available)
    func concurrent(store: StoreKind) async throws {
        try await Backend.run(store) { backend in
            let grace = try await backend.login("o-grace")
            let graceKey = try #require(backend.fake.sessionKey(of: "o-grace"))
            _ = try await backend.login("o-heidi")
            let heidiOld = try #require(backend.fake.sessionKey(of: "o-heidi"))
            let heidi = try await backend.login("o-heidi")
            let bodies = [
                backend.phoneRequest(session: grace, key: graceKey),
                backend.phoneRequest(session: heidi, key: heidiOld),
                backend.phoneRequest(session: heidi, key: .random()),
                backend.phoneRequest(session: grace, key: heidiOld),
            ]
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
            let wrong = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        let answer = try await backend.post("/api/phone", bodies[index % 4], client: client)
                        return index % 4 < 2
                            ? answer.status == 200 && answer.json["phoneNumber"] as? String == Backend.number
                            : answer.status == 400 && answer.error == Self.notVerified
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 0 : 1) }
            }
            try await client.shutdown()
            #expect(wrong == 0)
            let notes = backend.logLines.filter { $0.contains("decrypted with the previous session key") }
            #expect(notes.count == 250)
            backend.expectNoSecretsInLogs(keys: [graceKey, heidiOld])
        }
    }
}
