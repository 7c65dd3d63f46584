import Foundation
import Testing

/// `--help` of every subcommand names every option and flag the command really has (as
/// swift-argument-parser itself describes them), lists the values of typed choices, and
/// the root help lists every subcommand and the exit codes.
@Suite("wxdecrypt --help")
struct HelpTests {
    struct Argument: Decodable {
        struct Name: Decodable { let kind: String, name: String }
        let names: [Name]?
        let kind: String
        let shouldDisplay: Bool
        let allValues: [String]?
    }

    struct Command: Decodable {
        let commandName: String
        let arguments: [Argument]?
        let subcommands: [Command]?
    }

    struct ToolInfo: Decodable { let command: Command }

    static let tool: Command = {
        let outcome = try! WXDecryptRunner.run(["--experimental-dump-help"])
        return try! JSONDecoder().decode(ToolInfo.self, from: Data(outcome.stdout.utf8)).command
    }()

    static let subcommands = (tool.subcommands ?? []).map(\.commandName).filter { $0 != "help" }

    @Test("the root help lists every subcommand and the exit codes")
    func root() throws {
        let help = try WXDecryptRunner.run(["--help"])
        #expect(help.status == 0)
        #expect(Self.subcommands.count >= 9)
        for name in Self.subcommands { #expect(help.stdout.contains("  \(name) "), "\(name)") }
        for code in ["0 success", "64 usage error", "66 ", "74 "] { #expect(help.stdout.contains(code), "\(code)") }
    }

    @Test("each subcommand's help names every option and flag, and every value of a typed choice", arguments: subcommands)
    func subcommand(name: String) throws {
        let command = try #require(Self.tool.subcommands?.first { $0.commandName == name })
        let help = try WXDecryptRunner.run([name, "--help"])
        #expect(help.status == 0)
        let options = (command.arguments ?? []).filter { $0.shouldDisplay && $0.kind != "positional" }
        #expect(!options.isEmpty)
        for option in options {
            for spelling in option.names ?? [] where spelling.kind == "long" {
                #expect(help.stdout.contains("--\(spelling.name)"), "\(name) --help names --\(spelling.name)")
            }
            for value in option.allValues ?? [] {
                #expect(help.stdout.contains(value), "\(name) --help lists the value \(value)")
            }
        }
    }
}
