import ArgumentParser
import WeChatOpenData

struct SessionSignatureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session-signature",
        abstract: "Print the HMAC-SHA256 login-state signature for WeChat's checksession API.",
        discussion: """
            Use it to ask WeChat whether a stored session_key is still valid:
            GET https://api.weixin.qq.com/wxa/checksession?access_token=…&signature=<this>&openid=…&sig_method=hmac_sha256
            """)

    @OptionGroup var key: SessionKeyOptions

    func run() throws {
        try Console.run {
            try Console.standardOutput(try key.load().loginStateSignature() + "\n")
        }
    }
}
