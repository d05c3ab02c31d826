import Foundation
import HTTPServer

/// Standard Webhooks signatures (standardwebhooks.com), which Argilla uses: `webhook-signature` holds
/// space-separated `v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>` entries;
/// the secret is `whsec_<base64 key>`.
enum StandardWebhook {
    enum Failure: Error, Equatable {
        case missingHeaders, badTimestamp, stale, badSignature
    }

    /// The key bytes of a `whsec_…` secret (a secret without the prefix is taken as base64 too); nil if malformed.
    static func key(_ secret: String) -> [UInt8]? {
        let b64 = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let data = Data(base64Encoded: b64), !data.isEmpty else { return nil }
        return Array(data)
    }

    static func sign(key: [UInt8], id: String, timestamp: String, body: [UInt8]) -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(MessageAuthentication.hmacSHA256(key: key, message: message)).base64EncodedString()
    }

    /// Which of `keys` signed the request (its index), or why none did.
    static func verify(headers: HTTPHeaders, body: [UInt8], keys: [[UInt8]], now: Date, tolerance: TimeInterval)
        -> Result<Int, Failure>
    {
        guard let id = headers["webhook-id"], let stamp = headers["webhook-timestamp"], let signatures = headers["webhook-signature"]
        else { return .failure(.missingHeaders) }
        guard let seconds = Int64(stamp) else { return .failure(.badTimestamp) }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return .failure(.stale) }
        let presented = signatures.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let d = Data(base64Encoded: String(parts[1])) else { return nil }
            return Array(d)
        }
        let message = Array("\(id).\(stamp).".utf8) + body
        for (index, key) in keys.enumerated() {
            let expected = MessageAuthentication.hmacSHA256(key: key, message: message)
            // Check every presented signature: no early exit that would time which one matched.
            var matched = false
            for p in presented where ConstantTime.equal(p, expected) { matched = true }
            if matched { return .success(index) }
        }
        return .failure(.badSignature)
    }
}
