import Foundation
import Testing
@testable import RewardAPI

struct OpenAPIDocumentTests {
    /// The served document is the repository's openapi.yaml (embedded through the resource symlink).
    @Test func embeddedCopyMatchesTheContract() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(String(decoding: PackageResources.openapi_yaml, as: UTF8.self) == onDisk, "the embedded openapi.yaml is stale")
    }
}
