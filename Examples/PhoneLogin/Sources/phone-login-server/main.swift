import Foundation
import PhoneLogin
import WeChatOpenData

// Usage: phone-login-server APPID SESSIONS.json [PORT] [MAX_AGE_SECONDS]
let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: phone-login-server APPID SESSIONS.json [PORT] [MAX_AGE_SECONDS]\n".utf8))
    exit(64)
}
let maxAge = arguments.count > 4 ? Int64(arguments[4]) ?? 300 : 300
let decryptor = try OpenDataDecryptor(appID: arguments[1], freshness: FreshnessPolicy(maximumAge: .seconds(maxAge)))
let sessions = try SessionStore(contentsOf: URL(fileURLWithPath: arguments[2]))
let port = arguments.count > 3 ? Int(arguments[3]) ?? 8080 : 8080
let app = buildApplication(route: PhoneRoute(decryptor: decryptor, sessions: sessions), port: port)
try await app.runService()
