import Foundation
import Testing
@testable import RewardAPI

struct OpenAPIDocumentTests {
    /// The served document is the repository's openapi.yaml (regenerate with Tools/gen-openapi-swift.sh).
    @Test func embeddedCopyMatchesTheContract() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == onDisk, "openapi.yaml changed: run Tools/gen-openapi-swift.sh")
    }
}
