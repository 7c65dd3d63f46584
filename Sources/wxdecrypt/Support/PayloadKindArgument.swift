import ArgumentParser
import WeChatOpenData

/// `--as`: the kind to read a payload as, or `auto` to recognise it from its keys.
enum PayloadKindArgument: String, ExpressibleByArgument, CaseIterable {
    case auto, phone, user, werun, share, group, raw

    /// The library's kind; `nil` for `auto`.
    var kind: OpenDataPayload.Kind? { OpenDataPayload.Kind(rawValue: rawValue) }
}
