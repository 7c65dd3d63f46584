import ArgumentParser

/// `--app-id`, `--iv` and `--data B64 | --data-file PATH|-`: one payload, for decrypt and diagnose.
struct PayloadInputOptions: ParsableArguments {
    @Option(name: .customLong("app-id"), help: "Your mini program's appid; the watermark must match.")
    var appID: String

    @Option(help: "The iv, base64.")
    var iv: String

    @Option(help: "The encryptedData, base64.")
    var data: String?

    @Option(help: ArgumentHelp("Read the encryptedData from a file ('-' for stdin).", valueName: "path"))
    var dataFile: String?

    func validate() throws {
        try AppIDArgument.validate(appID)
        guard (data == nil) != (dataFile == nil) else {
            throw ValidationError("Pass exactly one of --data or --data-file.")
        }
    }

    func load() throws -> String {
        if let data { return data }
        return try Console.readText(dataFile!, what: "--data-file")
    }
}
