import ArgumentParser
import WeChatOpenData

struct VerifyVectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-vectors",
        abstract: "Check test vector files and end with 'N passed, M failed'.")

    @Argument(help: "Vector files in the package's format.")
    var files: [String] = ["Fixtures/vectors.json"]

    @Flag(help: "Print a line for every vector, not only failing ones.")
    var verbose = false

    func run() throws {
        try Console.run {
            var passed = 0
            var failed = 0
            for file in files {
                let vectors: [OpenDataTestVector]
                do {
                    vectors = try OpenDataTestVector.load(from: try Console.read(file, what: "vector file"))
                } catch is DecodingError {
                    throw CommandFailure(
                        code: "invalid_vector_file", reason: "'\(file)' is not a vector file (see Fixtures/README.md)",
                        status: ExitStatus.failed)
                }
                for vector in vectors {
                    if let problem = vector.check() {
                        failed += 1
                        try Console.standardOutput("FAIL \(vector.name): \(problem)\n")
                    } else {
                        passed += 1
                        if verbose { try Console.standardOutput("ok   \(vector.name)\n") }
                    }
                }
            }
            try Console.standardOutput("\(passed) passed, \(failed) failed\n")
            if failed > 0 { throw ExitCode(ExitStatus.failed) }
        }
    }
}
