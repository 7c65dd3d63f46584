import Foundation
import Hummingbird
import Logging

/// An error answer to the mini program: `{"error": "<word>", "message": "<sentence>"}`, with
/// `Retry-After` when waiting helps. Routes throw it; the router turns it into the response.
struct ClientAnswer: Error, Sendable {
    var status: HTTPResponse.Status
    var error: String
    var message: String
    var retryAfterSeconds: Int? = nil

    /// The one answer every `/api/phone` failure gets: the client learns nothing about which step failed.
    static let phoneNotVerified = ClientAnswer(
        status: .badRequest, error: "not_verified", message: "could not verify the phone number; please try again")

    /// A body that is not the JSON object the route expects.
    static let malformedBody = ClientAnswer(
        status: .badRequest, error: "malformed_request", message: "the body must be the JSON object this route documents")

    /// A body over the size limit.
    static let bodyTooLarge = ClientAnswer(
        status: .contentTooLarge, error: "body_too_large", message: "the request body is too large")

    /// A session token this server does not know (never issued, or replaced by a newer login).
    static let unknownSession = ClientAnswer(
        status: .unauthorized, error: "unknown_session", message: "the session is unknown or was replaced; log in again")

    /// The session store failed; the details are in the server log.
    static let storeUnavailable = ClientAnswer(
        status: .serviceUnavailable, error: "store_unavailable", message: "the server cannot reach its database; try again",
        retryAfterSeconds: 2)

    func response() -> Response {
        struct Body: Encodable {
            let error: String
            let message: String
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .jsonBody(Body(error: error, message: message)))
    }
}

extension ResponseBody {
    /// `value` as compact JSON.
    static func jsonBody(_ value: some Encodable) -> ResponseBody {
        // Encoding a struct of strings and numbers cannot fail.
        ResponseBody(byteBuffer: ByteBuffer(data: try! JSONEncoder().encode(value)))
    }
}

/// A successful JSON answer.
func jsonResponse(_ value: some Encodable) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .jsonBody(value))
}

/// Reads a JSON request body of at most `limit` bytes.
func decodeBody<Body: Decodable>(
    _ type: Body.Type, from request: Request, limit: Int, context: some RequestContext
) async throws(ClientAnswer) -> Body {
    let buffer: ByteBuffer
    do {
        buffer = try await request.body.collect(upTo: limit)
    } catch {
        context.logger.notice("\(request.uri.path): body over \(limit) bytes")
        throw .bodyTooLarge
    }
    guard let body = try? JSONDecoder().decode(type, from: Data(buffer: buffer)) else {
        context.logger.notice("\(request.uri.path): malformed request body")
        throw .malformedBody
    }
    return body
}

/// Runs a store call; a failure is logged (the drivers' errors carry no bound values) and answered 503.
func withStore<Value>(_ logger: Logger, _ body: () async throws -> Value) async throws(ClientAnswer) -> Value {
    do {
        return try await body()
    } catch {
        logger.error("session store: \(error)")
        throw .storeUnavailable
    }
}
