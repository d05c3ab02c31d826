import Foundation
import HTTPServer
import Testing
@testable import RewardAPI

/// openapi.yaml documents the same access as the router table declares: `x-required-scope` per /v1
/// operation, `security: [{}]` on the open ones, and 401/403 wherever a key is needed.
struct OpenAPIScopesTests {
    struct Operation {
        var scope: String?
        var isOpen = false
        var statuses: Set<String> = []
    }

    /// "METHOD /path" → what the document says (a line scan of the file's fixed indentation).
    static func operations() -> [String: Operation] {
        let text = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
        var out: [String: Operation] = [:]
        var path = "", current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                current = nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !path.isEmpty {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                current = ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method) ? "\(method) \(path)" : nil
                if let current { out[current] = Operation() }
            } else if line.hasPrefix("components:") {
                break
            } else if let key = current {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("x-required-scope:") { out[key]?.scope = trimmed.split(separator: " ").last.map(String.init) }
                if trimmed == "security: [{}]" { out[key]?.isOpen = true }
                if line.hasPrefix("        '"), let code = trimmed.split(separator: "'").first { out[key]?.statuses.insert(String(code)) }
            }
        }
        return out
    }

    @Test func everyRouteIsDocumentedWithItsAccess() throws {
        let documented = Self.operations()
        // The tool integrations speak Label Studio's and Argilla's protocols, documented in docs/INTEGRATIONS.md.
        let routes = RouteSample.all.filter { !$0.template.hasPrefix("/integrations/") }
        for route in routes {
            let key = "\(route.method) \(route.template)"
            let op = try #require(documented[key], "\(key) is not in openapi.yaml")
            switch route.access {
            case .open:
                #expect(op.isOpen && op.scope == nil, "\(key) is open in the router")
            case .requires(let scope):
                #expect(op.scope == scope.name, "\(key): router requires \(scope), the document says \(op.scope ?? "nothing")")
                #expect(!op.isOpen)
                #expect(op.statuses.isSuperset(of: ["401", "403"]), "\(key) documents \(op.statuses.sorted())")
            }
        }
        #expect(documented.count == routes.count, "the document has operations the router lacks: \(documented.keys.sorted())")
    }
}
