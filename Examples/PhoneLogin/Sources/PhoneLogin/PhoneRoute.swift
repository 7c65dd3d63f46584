import Foundation
import Hummingbird
import Logging
import WeChatOpenData

/// What the mini program posts after `<button open-type="getPhoneNumber">`.
struct PhoneRequest: Decodable {
    let session: String
    let encryptedData: String
    let iv: String
}

/// What the route answers on success.
struct PhoneResponse: ResponseEncodable {
    let phoneNumber: String
    let purePhoneNumber: String
    let countryCode: String
}

/// The one answer every failure gets: the client learns nothing about which step failed.
struct ClientError: ResponseEncodable {
    let error = "could not verify the phone number; please try again"
}

/// `POST /api/phone`.
public struct PhoneRoute: Sendable {
    let decryptor: OpenDataDecryptor
    let sessions: SessionStore
    let maximumBodySize: Int

    /// - Parameters:
    ///   - decryptor: The decryptor for your appid, with its freshness policy.
    ///   - sessions: Where session keys are looked up.
    ///   - maximumBodySize: Larger bodies are refused with 413 before they are read whole.
    public init(decryptor: OpenDataDecryptor, sessions: SessionStore, maximumBodySize: Int = 16 * 1024) {
        self.decryptor = decryptor
        self.sessions = sessions
        self.maximumBodySize = maximumBodySize
    }

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            context.logger.notice("phone: body over \(maximumBodySize) bytes")
            return try Self.failure(status: .contentTooLarge, context: context, request: request)
        }
        guard let input = try? JSONDecoder().decode(PhoneRequest.self, from: Data(buffer: body)) else {
            context.logger.notice("phone: malformed request body")
            return try Self.failure(status: .badRequest, context: context, request: request)
        }
        guard let sessionKey = sessions.sessionKey(for: input.session) else {
            context.logger.notice("phone: unknown session")
            return try Self.failure(status: .badRequest, context: context, request: request)
        }
        let phone: PhoneNumber
        do throws(OpenDataError) {
            phone = try decryptor.decrypt(
                PhoneNumber.self, encryptedData: input.encryptedData, iv: input.iv, sessionKey: sessionKey)
        } catch {
            // The precise code goes to the server log only; never the key, the plaintext or a number.
            context.logger.notice("phone: \(error.code)", metadata: ["field": "\(error.field ?? "-")"])
            return try Self.failure(status: .badRequest, context: context, request: request)
        }
        return try PhoneResponse(
            phoneNumber: phone.phoneNumber, purePhoneNumber: phone.purePhoneNumber, countryCode: phone.countryCode
        ).response(from: request, context: context)
    }

    private static func failure(status: HTTPResponse.Status, context: some RequestContext, request: Request) throws -> Response {
        var response = try ClientError().response(from: request, context: context)
        response.status = status
        return response
    }
}

/// The application: one route, on the given host and port.
public func buildApplication(
    route: PhoneRoute, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "phone-login")
) -> some ApplicationProtocol {
    let router = Router()
    router.post("/api/phone") { request, context in try await route.handle(request, context: context) }
    return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
}
