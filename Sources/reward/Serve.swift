import ArgumentParser
import HTTPServer
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service.")

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one).")
    var port: Int = 8080

    func run() async throws {
        let logger = Logger(label: "reward")
        logger.error("the HTTP server is not built yet", metadata: ["host": "\(host)", "port": "\(port)"])
        throw ExitCode.failure
    }
}
