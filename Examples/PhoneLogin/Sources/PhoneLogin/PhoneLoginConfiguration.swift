import Foundation

/// How the server is set up: the mini program's credentials, WeChat's address, the database,
/// and the time windows. ``init(environment:)`` reads it from environment variables.
public struct PhoneLoginConfiguration: Sendable, CustomStringConvertible {
    /// The mini program's appid (`WX_APPID`).
    public var appID: String
    /// The mini program's app secret (`WX_APP_SECRET`); never printed.
    public var appSecret: String
    /// WeChat's API base URL (`WECHAT_API_BASE_URL`, `https://api.weixin.qq.com` by default).
    public var weChatAPIBaseURL: String = "https://api.weixin.qq.com"
    /// A PostgreSQL URL (`DATABASE_URL`); `nil` keeps sessions in the SQLite file ``sqlitePath``.
    public var databaseURL: String?
    /// The SQLite file (`SQLITE_PATH`, `phone-login.sqlite` by default).
    public var sqlitePath: String = "phone-login.sqlite"
    /// The address to listen on (`HOST`, loopback by default).
    public var host: String = "127.0.0.1"
    /// The port to listen on (`PORT`, 8080 by default; 0 picks a free one).
    public var port: Int = 8080
    /// How long a replaced session key stays usable (`PREVIOUS_KEY_WINDOW_SECONDS`, 300 by default).
    ///
    /// Open data is produced right before the re-login that replaces the key, so minutes are
    /// plenty; the freshness check on `watermark.timestamp` uses the same window.
    public var previousKeyWindow: Duration = .seconds(300)
    /// The largest request body accepted.
    public var maximumBodySize: Int = 16 * 1024
    /// The clock: read for every freshness check, key window and access-token expiry.
    public var now: @Sendable () -> Date = { Date() }

    /// Creates a configuration with the defaults above.
    ///
    /// - Parameters:
    ///   - appID: The mini program's appid.
    ///   - appSecret: The mini program's app secret.
    public init(appID: String, appSecret: String) {
        self.appID = appID
        self.appSecret = appSecret
    }

    /// Reads the configuration from environment variables.
    ///
    /// - Parameter environment: The process environment.
    /// - Throws: ``ConfigurationError`` naming the variable that is missing or unusable.
    public init(environment: [String: String]) throws {
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw ConfigurationError(variable: name, problem: "is required")
            }
            return value
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        self.init(appID: try required("WX_APPID"), appSecret: try required("WX_APP_SECRET"))
        if let url = environment["WECHAT_API_BASE_URL"] {
            guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme), parts.host != nil else {
                throw ConfigurationError(variable: "WECHAT_API_BASE_URL", problem: "must be an http or https URL")
            }
            weChatAPIBaseURL = url
        }
        databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        sqlitePath = environment["SQLITE_PATH"] ?? sqlitePath
        host = environment["HOST"] ?? host
        port = try integer("PORT", in: 0...65535) ?? port
        previousKeyWindow = .seconds(try integer("PREVIOUS_KEY_WINDOW_SECONDS", in: 0...3600) ?? 300)
    }

    /// The settings without the secret or the database password.
    public var description: String {
        "PhoneLoginConfiguration(appid: \(appID), wechat: \(weChatAPIBaseURL), store: "
            + (databaseURL == nil ? "sqlite \(sqlitePath)" : "postgresql") + ", listen: \(host):\(port), "
            + "previous key window: \(previousKeyWindow.components.seconds) s)"
    }
}

/// A setting the server cannot start with.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// The environment variable at fault.
    public let variable: String
    /// What is wrong with it.
    public let problem: String

    /// `WX_APP_SECRET is required`.
    public var description: String { "\(variable) \(problem)" }
}
