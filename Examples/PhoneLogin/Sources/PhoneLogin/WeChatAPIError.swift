/// A call to WeChat's server API that did not give what was asked: an `errcode`, or no usable answer.
public struct WeChatAPIError: Error, Sendable, CustomStringConvertible {
    /// The API called: `jscode2session`, `token` or `checksession`.
    public let api: String

    /// WeChat's `errcode`; `nil` when WeChat could not be reached or its answer could not be read.
    public let errcode: Int?

    /// WeChat's `errmsg`, or what went wrong on the way.
    public let message: String

    /// `jscode2session: errcode 40029 (invalid code, rid: …)`.
    public var description: String {
        "\(api): " + (errcode.map { "errcode \($0) (\(message))" } ?? message)
    }

    /// WeChat's documented codes that this backend answers in its own words.
    enum Known {
        static let systemBusy = -1
        static let invalidAccessToken = 40001
        static let invalidCode = 40029
        static let expiredAccessToken = 42001
        static let codeAlreadyUsed = 40163
        static let highRiskUser = 40226
        static let rateLimited = 45011
        static let invalidSignature = 87009
    }

    /// The access token was rejected: fetch a new one and ask again.
    var isStaleAccessToken: Bool { errcode == Known.invalidAccessToken || errcode == Known.expiredAccessToken }
}

extension WeChatAPIError {
    /// What the mini program is told when a call to WeChat fails: a status, a stable `error`
    /// word, and a sentence that says what to do. WeChat's `errmsg` stays in the server log.
    var clientAnswer: ClientAnswer {
        switch errcode {
        case Known.invalidCode:
            ClientAnswer(
                status: .badRequest, error: "invalid_code",
                message: "the login code is invalid or expired; call wx.login again and send the new code")
        case Known.codeAlreadyUsed:
            ClientAnswer(
                status: .badRequest, error: "code_used",
                message: "the login code was already used; call wx.login again and send the new code")
        case Known.highRiskUser:
            ClientAnswer(status: .forbidden, error: "login_refused", message: "WeChat refused this login")
        case Known.rateLimited:
            ClientAnswer(
                status: .tooManyRequests, error: "rate_limited",
                message: "too many logins in a short time; try again in a minute", retryAfterSeconds: 60)
        case Known.systemBusy:
            ClientAnswer(
                status: .serviceUnavailable, error: "wechat_busy",
                message: "WeChat is busy; try again in a few seconds", retryAfterSeconds: 2)
        case .some:
            ClientAnswer(
                status: .badGateway, error: "wechat_error", message: "WeChat answered with an error; try again later")
        case nil:
            ClientAnswer(
                status: .badGateway, error: "wechat_unreachable", message: "WeChat could not be reached; try again later")
        }
    }
}
