import Foundation
import Testing
import TextEncoder

/// Where the tests find their data: the JSON fixtures copied into this target, and the fetched
/// model directory (`make encoder` puts it in `.reward/models/all-MiniLM-L6-v2`; REWARD_ENCODER_DIR
/// overrides). Without the model directory the tests that need it are disabled on a laptop and
/// fail under CI=true (where `make test` fetches it first).
enum EncoderFixtures {
    static func json(_ name: String) throws -> [String: Any] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static var modelDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["REWARD_ENCODER_DIR"], !dir.isEmpty { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".reward/models/all-MiniLM-L6-v2").path
    }

    static var modelIsPresent: Bool {
        FileManager.default.fileExists(atPath: modelDirectory + "/vocab.txt")
    }

    /// Disabled without the model directory, except under CI=true where its absence must fail.
    static var modelAvailable: Bool {
        modelIsPresent || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    static let tokenizer: Result<WordPieceTokenizer, Error> = Result {
        try WordPieceTokenizer(vocabulary: Vocabulary.load(path: modelDirectory + "/vocab.txt"), maxTokens: 256)
    }
}
