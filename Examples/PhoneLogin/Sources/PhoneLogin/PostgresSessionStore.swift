import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The session store in PostgreSQL, through postgres-nio: the choice for several servers behind
/// a load balancer, which must all see a login the moment it happens.
///
/// The ``client`` must run for the store to work: add it to the application's services.
public struct PostgresSessionStore: SessionStore {
    /// The connection pool; a `Service` to run beside the server.
    public let client: PostgresClient
    private let logger: Logger

    /// Creates a store on a `postgres://user:password@host:port/database` URL.
    ///
    /// `sslmode=require` (or `verify-full`) in the query asks for TLS with the system's trust
    /// roots; without it the connection is plain, as on a private network or loopback.
    ///
    /// - Parameters:
    ///   - url: The `DATABASE_URL`.
    ///   - maximumConnections: The largest number of connections this server opens.
    ///   - logger: Where the pool logs its background events.
    /// - Throws: ``ConfigurationError`` naming what is wrong with the URL.
    public init(url: String, maximumConnections: Int = 20, logger: Logger) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme),
            let host = parts.host, !host.isEmpty
        else {
            throw ConfigurationError(
                variable: "DATABASE_URL", problem: "must look like postgres://user:password@host:port/database")
        }
        let tls: PostgresClient.Configuration.TLS
        switch parts.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable" {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw ConfigurationError(variable: "DATABASE_URL", problem: "sslmode must be disable, require or verify-full")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
            database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // Several servers may start at once: one migrates, the others wait and then find it done.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS phone_login_migration (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = try await connection.query(
                "SELECT name FROM phone_login_migration WHERE name = \(Self.migration)", logger: logger)
            for try await _ in applied { return }
            try await connection.query(
                """
                CREATE TABLE \(unescaped: SessionTable.name) (
                    openid TEXT PRIMARY KEY,
                    token TEXT NOT NULL UNIQUE,
                    unionid TEXT,
                    session_key TEXT NOT NULL,
                    previous_session_key TEXT,
                    key_replaced_at TIMESTAMPTZ,
                    logged_in_at TIMESTAMPTZ NOT NULL)
                """, logger: logger)
            try await connection.query("INSERT INTO phone_login_migration (name) VALUES (\(Self.migration))", logger: logger)
        }
    }

    static let migration = "v1: sessions"
    /// An arbitrary constant that names this application's migration lock.
    static let migrationLock: Int64 = 0x7778_6c6f_6769_6e31

    public func recordLogin(_ login: SessionLogin) async throws {
        var binds = PostgresBindings()
        binds.append(login.openID)
        binds.append(login.token)
        binds.append(login.unionID)
        binds.append(login.sessionKey.base64EncodedString())
        binds.append(login.at)
        let sql = SessionTable.recordLoginSQL(placeholders: (1...5).map { "$\($0)" })
        try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }

    public func session(token: String) async throws -> StoredSession? {
        var binds = PostgresBindings()
        binds.append(token)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: SessionTable.sessionSQL(placeholder: "$1"), binds: binds), logger: logger)
        for try await (openID, key, previous, replacedAt) in rows.decode((String, String, String?, Date?).self) {
            return try StoredSession(openID: openID, sessionKey: key, previousSessionKey: previous, keyReplacedAt: replacedAt)
        }
        return nil
    }
}
