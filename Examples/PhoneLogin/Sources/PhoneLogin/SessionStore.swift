import Foundation
import WeChatOpenData

/// Session id → the session key `jscode2session` returned, loaded once at start.
///
/// A real backend keeps this in Redis or a database, written by its login route; the example
/// reads a JSON object `{"<session id>": "<session_key base64>"}` so that it runs alone.
public struct SessionStore: Sendable {
    private let keys: [String: SessionKey]

    /// Creates a store from session ids and session keys.
    public init(keys: [String: SessionKey]) { self.keys = keys }

    /// Loads `{"<session id>": "<session_key base64>"}` from a file.
    public init(contentsOf url: URL) throws {
        let texts = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        var keys: [String: SessionKey] = [:]
        for (session, text) in texts { keys[session] = try SessionKey(base64: text) }
        self.keys = keys
    }

    /// The session key of a session, if it exists.
    public func sessionKey(for session: String) -> SessionKey? { keys[session] }
}
