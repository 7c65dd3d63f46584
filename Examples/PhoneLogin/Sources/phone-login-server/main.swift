import Foundation
import Logging
import PhoneLogin

// Configured by environment variables: see the README. The secret never travels as an argument.
let logger = Logger(label: "phone-login")
let configuration: PhoneLoginConfiguration
do {
    configuration = try PhoneLoginConfiguration(environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("phone-login-server: \(error)\n".utf8))
    exit(64)
}
logger.info("starting: \(configuration)")
let (store, services) = try makeSessionStore(configuration: configuration, logger: logger)
let app = try buildApplication(configuration: configuration, store: store, services: services, logger: logger)
try await app.runService()
