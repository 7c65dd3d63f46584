import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceLifecycle
import WeChatOpenData

/// The login backend: `POST /api/login`, `POST /api/phone` and `POST /api/session/check`.
///
/// - Parameters:
///   - configuration: The settings; its clock drives freshness, key windows and token expiry.
///   - store: Where sessions live; migrated before the server accepts requests.
///   - services: What must run beside the server (the PostgreSQL pool).
///   - httpClient: The client for WeChat's API.
///   - logger: The server's log; it never receives a key, a secret, plaintext or a phone number.
/// - Returns: The application, ready for `runService()`.
/// - Throws: `OpenDataError` when the appid cannot be an appid.
public func buildApplication(
    configuration: PhoneLoginConfiguration, store: any SessionStore, services: [any Service] = [],
    httpClient: HTTPClient = .shared, logger: Logger
) throws -> some ApplicationProtocol {
    let decryptor = try OpenDataDecryptor(
        appID: configuration.appID,
        freshness: FreshnessPolicy(maximumAge: configuration.previousKeyWindow, now: configuration.now))
    let weChat = WeChatAPI(
        baseURL: configuration.weChatAPIBaseURL, appID: configuration.appID, appSecret: configuration.appSecret,
        httpClient: httpClient, now: configuration.now)
    let login = LoginRoute(weChat: weChat, store: store, configuration: configuration)
    let phone = PhoneRoute(decryptor: decryptor, store: store, configuration: configuration)
    let check = SessionCheckRoute(weChat: weChat, store: store, configuration: configuration)

    let router = Router()
    router.post("/api/login") { request, context in
        await answer { () async throws(ClientAnswer) in try await login.respond(to: request, context: context) }
    }
    router.post("/api/phone") { request, context in
        await answer { () async throws(ClientAnswer) in try await phone.respond(to: request, context: context) }
    }
    router.post("/api/session/check") { request, context in
        await answer { () async throws(ClientAnswer) in try await check.respond(to: request, context: context) }
    }
    var app = Application(
        router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: services, logger: logger)
    app.beforeServerStarts { try await store.migrate() }
    return app
}

/// The store the configuration names: PostgreSQL when it has a `DATABASE_URL`, the SQLite file otherwise.
///
/// - Parameters:
///   - configuration: The settings.
///   - logger: Where the PostgreSQL pool logs.
/// - Returns: The store, and the services to run beside the server for it.
/// - Throws: ``ConfigurationError`` for an unusable URL, or the SQLite file's error.
public func makeSessionStore(
    configuration: PhoneLoginConfiguration, logger: Logger
) throws -> (store: any SessionStore, services: [any Service]) {
    if let url = configuration.databaseURL {
        let store = try PostgresSessionStore(url: url, logger: logger)
        return (store, [store.client])
    }
    return (try SQLiteSessionStore(path: configuration.sqlitePath), [])
}

private func answer(_ body: () async throws(ClientAnswer) -> Response) async -> Response {
    do {
        return try await body()
    } catch {
        return error.response()
    }
}
