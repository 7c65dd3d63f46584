import ArgumentParser
import Foundation
import WeChatOpenData

/// `--max-age`, `--now` and `--mask`, shared by decrypt and decrypt-file.
struct VerificationOptions: ParsableArguments {
    @Option(help: "Reject payloads older than this many seconds.")
    var maxAge: Int64?

    @Option(help: "Fix the clock (Unix seconds) for reproducible freshness checks.")
    var now: Int64?

    @Flag(help: "Mask phone numbers (135****6666).")
    var mask = false

    func validate() throws {
        if now != nil && maxAge == nil { throw ValidationError("--now only applies together with --max-age.") }
        if let maxAge, maxAge < 0 { throw ValidationError("--max-age must not be negative.") }
    }

    /// A policy from `--max-age` and `--now`; without `--max-age` there is nothing to check.
    var freshness: FreshnessPolicy? {
        guard let maxAge else { return nil }
        if let now {
            let fixed = Date(timeIntervalSince1970: TimeInterval(now))
            return FreshnessPolicy(maximumAge: .seconds(maxAge), now: { fixed })
        }
        return FreshnessPolicy(maximumAge: .seconds(maxAge))
    }
}
