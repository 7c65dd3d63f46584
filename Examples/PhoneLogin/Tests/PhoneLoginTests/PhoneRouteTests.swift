import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PhoneLogin
import Testing
import WeChatOpenData

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server on a loopback port, driven with real HTTP requests.
@Suite("POST /api/phone over HTTP")
struct PhoneRouteTests {
    static let appID = "wx4f4bc4dec97d474b"
    static let now: Int64 = 1_637_744_274
    static let genericError = #"{"error":"could not verify the phone number; please try again"}"#

    let key = SessionKey.random()
    let otherKey = SessionKey.random()

    var app: some ApplicationProtocol {
        let clock = Date(timeIntervalSince1970: TimeInterval(Self.now))
        let decryptor = try! OpenDataDecryptor(
            appID: Self.appID, freshness: FreshnessPolicy(maximumAge: .seconds(300), now: { clock }))
        let sessions = SessionStore(keys: ["alice": key, "bob": otherKey])
        return buildApplication(
            route: PhoneRoute(decryptor: decryptor, sessions: sessions, maximumBodySize: 4096), port: 0,
            logger: Logger(label: "test"))
    }

    func body(session: String = "alice", key: SessionKey? = nil, appID: String = Self.appID,
              timestamp: Int64 = Self.now, number: String = "13580006666") -> String {
        let phone = PhoneNumber(phoneNumber: number, purePhoneNumber: number, countryCode: "86",
                                watermark: Watermark(appID: appID, timestamp: timestamp))
        let sealed = try! OpenDataEncryptor.encrypt(.phoneNumber(phone), sessionKey: key ?? self.key)
        return #"{"session":"\#(session)","encryptedData":"\#(sealed.encryptedData)","iv":"\#(sealed.iv)"}"#
    }

    @Test("a valid phone record gives the number")
    func valid() async throws {
        let request = body()
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/phone", method: .post, body: ByteBuffer(string: request)) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String]
                #expect(json == ["phoneNumber": "13580006666", "purePhoneNumber": "13580006666", "countryCode": "86"])
            }
        }
    }

    @Test("every failure gets the same 400 and a generic message; an oversized body gets 413")
    func failures() async throws {
        let cases: [(String, HTTPResponse.Status)] = [
            (body(key: otherKey), .badRequest),  // stale or foreign session key
            (body(appID: "wx0000000000000000"), .badRequest),  // another app's data
            (body(timestamp: Self.now - 3600), .badRequest),  // an hour old
            (body(session: "nobody"), .badRequest),  // unknown session
            (#"{"session":"alice","encryptedData":"AAAA","iv":"%%%"}"#, .badRequest),  // bad base64
            ("not json", .badRequest),
            (String(repeating: "x", count: 10_000), .contentTooLarge),
        ]
        try await app.test(.live) { client in
            for (request, status) in cases {
                try await client.execute(uri: "/api/phone", method: .post, body: ByteBuffer(string: request)) { response in
                    #expect(response.status == status)
                    #expect(String(buffer: response.body) == Self.genericError)
                }
            }
        }
    }

    @Test("1,000 concurrent requests over loopback, every answer correct")
    func concurrent() async throws {
        let good = body(), stale = body(key: otherKey)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let url = URL(string: "http://127.0.0.1:\(port)/api/phone")!
            let results = try await withThrowingTaskGroup(of: (Bool, Int).self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        var request = URLRequest(url: url)
                        request.httpMethod = "POST"
                        request.httpBody = Data((index % 4 == 3 ? stale : good).utf8)
                        let (data, response) = try await URLSession.shared.data(for: request)
                        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                        let expectOK = index % 4 != 3
                        let correct = expectOK
                            ? status == 200 && String(decoding: data, as: UTF8.self).contains(#""phoneNumber":"13580006666""#)
                            : status == 400 && String(decoding: data, as: UTF8.self) == Self.genericError
                        return (correct, status)
                    }
                }
                return try await group.reduce(into: [(Bool, Int)]()) { $0.append($1) }
            }
            #expect(results.count == 1_000)
            let wrong = results.filter { !$0.0 }
            #expect(wrong.isEmpty, "\(wrong.count) wrong answers, statuses \(wrong.prefix(3).map(\.1))")
        }
    }

    @Test("the session store is seeded from the example's sessions.json")
    func sessionsFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sessions.json")
        let store = try SessionStore(contentsOf: url)
        #expect(store.sessionKey(for: "demo-session") == (try SessionKey(base64: "tiihtNczf5v6AKRyjwEUhQ==")))
        #expect(store.sessionKey(for: "nobody") == nil)
    }
}
