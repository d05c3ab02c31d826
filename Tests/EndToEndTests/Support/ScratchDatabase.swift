import Foundation
import Testing
import TestSupport

/// Runs `body` with the URL of a database of its own on the test cluster, created before and dropped
/// after (also on failure). `psql` does the admin work: only PreferenceStore may link libpq.
func withScratchDatabase<T>(_ prefix: String, _ body: (String) async throws -> T) async throws -> T {
    let admin = try #require(AnnotationLoopTests.databaseURL)
    let name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    var parts = try #require(URLComponents(string: admin), "DATABASE_URL is not a URL")
    parts.path = "/" + name
    let url = try #require(parts.string)
    try await psql(admin, "CREATE DATABASE \(name)")
    do {
        let value = try await body(url)
        try await psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        return value
    } catch {
        try? await psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        throw error
    }
}

/// One SQL command through `psql` (off the cooperative pool).
func psql(_ url: String, _ sql: String) async throws {
    let result = try await Command.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
    guard result.status == 0 else { throw ServeProcess.Failure(description: "psql \(sql): \(result.stderr)") }
}

/// Runs `reward ARGUMENTS` with DATABASE_URL=url to completion (off the cooperative pool).
func reward(_ arguments: [String], _ url: String, environment: [String: String] = [:]) async throws -> CommandResult {
    let merged = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": url], uniquingKeysWith: { $1 })
        .merging(environment, uniquingKeysWith: { $1 })
    return try await Command.run([ServeProcess.binary.path] + arguments, environment: merged)
}
