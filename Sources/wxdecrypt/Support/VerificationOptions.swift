import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WeChatOpenData

/// `--max-age`, `--now` and `--mask`, shared by decrypt and decrypt-file.
struct VerificationOptions: ParsableArguments {
    @Option(help: "Reject payloads older than this many seconds.")
    var maxAge: Int64?

    @Option(help: "Fix the clock (Unix seconds) for reproducible freshness checks.")
    var now: Int64?

    @Flag(help: "Mask phone numbers (135****6666).")
    var mask = false

    /// The Unix times a `Date` holds to the second: beyond them the conversion to and from
    /// `Double` would change the value or trap.
    static let representableNow: ClosedRange<Int64> = -(1 << 53)...(1 << 53)

    func validate() throws {
        if now != nil && maxAge == nil { throw ValidationError("--now only applies together with --max-age.") }
        if let maxAge, maxAge < 0 { throw ValidationError("--max-age must not be negative.") }
        if let now, !Self.representableNow.contains(now) {
            throw ValidationError(
                "--now must be between \(Self.representableNow.lowerBound) and \(Self.representableNow.upperBound) "
                    + "(Unix seconds that a date holds exactly).")
        }
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
