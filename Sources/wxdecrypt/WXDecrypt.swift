import ArgumentParser

@main
struct WXDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wxdecrypt", abstract: "placeholder during bring-up")
}
