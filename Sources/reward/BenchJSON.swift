import ArgumentParser
import Foundation
import RewardAPI

/// `reward bench json`: the API's feature-array decoding (JSONParser + the correctly rounded float
/// scanner) against Foundation's `JSONDecoder` on the same `/v1/score` body (64 items × 1024
/// numbers by default), both ending with `[[Float]]`. The issue's target is ≥ 5×.
struct BenchJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "Float scanner vs JSONDecoder on a score body of feature arrays.")

    @Option(help: "Items in the body.") var items = 64
    @Option(help: "Numbers per item.") var dim = 1024
    @Option(help: "Seconds per contender.") var seconds = 2.0

    private struct Body: Decodable {
        struct Item: Decodable { var features: [Float] }
        var items: [Item]
    }

    func run() throws {
        var g = SystemRandomNumberGenerator()
        let numbers = (0..<items).map { _ in (0..<dim).map { _ in Float.random(in: -3...3, using: &g) } }
        let text = #"{"items":["# + numbers.map { row in
            #"{"features":["# + row.map { "\($0)" }.joined(separator: ",") + "]}"
        }.joined(separator: ",") + "]}"
        let bytes = Array(text.utf8)
        let data = Data(bytes)

        let scanner = try measure { try Self.scan(bytes) }
        let decoder = try measure { try JSONDecoder().decode(Body.self, from: data).items.map(\.features) }
        guard scanner.result == decoder.result else { throw ValidationError("the two decoders disagree") }

        let mb = Double(bytes.count) / 1e6
        print("`/v1/score` body: \(items) items × \(dim) numbers (Swift's shortest Float text), \(String(format: "%.2f", mb)) MB; one thread")
        print()
        print("| decoder | bodies/s | MB/s | floats/s | × JSONDecoder |")
        print("|---|---:|---:|---:|---:|")
        for (name, r) in [("JSONParser + FloatScanner (RewardAPI)", scanner), ("Foundation JSONDecoder (Codable [Float])", decoder)] {
            let rate = Double(r.count) / r.seconds
            print("| \(name) | \(String(format: "%.0f", rate)) | \(String(format: "%.0f", rate * mb)) | \(formatRate(rate * Double(items * dim))) | \(String(format: "%.1f", rate / (Double(decoder.count) / decoder.seconds)))× |")
        }
    }

    private func measure(_ body: () throws -> [[Float]]) throws -> (result: [[Float]], count: Int, seconds: Double) {
        var result = try body()  // warm-up
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        var elapsed = 0.0
        while elapsed < seconds {
            result = try body()
            count += 1
            let d = clock.now - start
            elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        return (result, count, elapsed)
    }

    /// What the score route does with the body (minus validation messages): parse, convert.
    static func scan(_ bytes: [UInt8]) throws -> [[Float]] {
        guard case .object(let root) = try JSONParser.parse(bytes), case .array(let list)? = root["items"] else {
            throw ValidationError("unexpected body")
        }
        return try list.map { item in
            guard case .object(let o) = item, case .numbers(let n)? = o["features"], case .values(let v) = n.floats() else {
                throw ValidationError("unexpected item")
            }
            return v
        }
    }
}
