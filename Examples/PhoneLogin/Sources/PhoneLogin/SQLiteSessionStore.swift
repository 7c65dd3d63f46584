import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The session store in one SQLite file, through GRDB: the embedded choice for a single server.
public struct SQLiteSessionStore: SessionStore {
    private let database: DatabasePool

    /// Opens (and creates, readable by its owner only) the database file.
    ///
    /// - Parameter path: The file's path.
    /// - Throws: When the file cannot be created or opened as SQLite.
    public init(path: String) throws {
        // The file holds session keys: create it 0600 before SQLite does; its WAL files copy the mode.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 { close(descriptor) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions") { db in
            try db.execute(sql: """
                CREATE TABLE \(SessionTable.name) (
                    openid TEXT PRIMARY KEY NOT NULL,
                    token TEXT NOT NULL UNIQUE,
                    unionid TEXT,
                    session_key TEXT NOT NULL,
                    previous_session_key TEXT,
                    key_replaced_at DATETIME,
                    logged_in_at DATETIME NOT NULL
                )
                """)
        }
        // Runs once at start-up, before the server accepts requests: blocking here costs nothing.
        try migrator.migrate(database)
    }

    public func recordLogin(_ login: SessionLogin) async throws {
        let sql = SessionTable.recordLoginSQL(placeholders: Array(repeating: "?", count: 5))
        let keyText = login.sessionKey.base64EncodedString()
        try await database.write { db in
            try db.execute(sql: sql, arguments: [login.openID, login.token, login.unionID, keyText, login.at])
        }
    }

    public func session(token: String) async throws -> StoredSession? {
        let row = try await database.read { db in
            try Row.fetchOne(db, sql: SessionTable.sessionSQL(placeholder: "?"), arguments: [token])
        }
        guard let row else { return nil }
        return try StoredSession(
            openID: row["openid"], sessionKey: row["session_key"],
            previousSessionKey: row["previous_session_key"], keyReplacedAt: row["key_replaced_at"])
    }
}
