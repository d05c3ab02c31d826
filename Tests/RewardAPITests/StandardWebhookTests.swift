import Foundation
import HTTPServer
import Testing
@testable import RewardAPI

/// Standard Webhooks signatures (Argilla's scheme), with the specification's published test vector.
struct StandardWebhookTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let headers: HTTPHeaders = [
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ]
    static let now = Date(timeIntervalSince1970: 1614265330 + 10)

    @Test func specificationVectorVerifies() throws {
        let key = try #require(StandardWebhook.key(Self.secret))
        #expect(StandardWebhook.sign(key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", body: Self.body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let other = Array(repeating: UInt8(9), count: 24)
        // The index says which tenant's secret matched; several signatures may be sent (key rotation).
        var rotated = Self.headers
        rotated.replace("webhook-signature", "v1,AAAA v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(StandardWebhook.verify(headers: rotated, body: Self.body, keys: [other, key], now: Self.now, tolerance: 300) == .success(1))
    }

    @Test func tamperingStalenessAndMissingHeadersFail() throws {
        let key = try #require(StandardWebhook.key(Self.secret))
        #expect(StandardWebhook.verify(headers: Self.headers, body: Self.body + [32], keys: [key], now: Self.now, tolerance: 300) == .failure(.badSignature))
        #expect(StandardWebhook.verify(headers: Self.headers, body: Self.body, keys: [key], now: Self.now.addingTimeInterval(600), tolerance: 300) == .failure(.stale))
        var noID = Self.headers
        noID.remove("webhook-id")
        #expect(StandardWebhook.verify(headers: noID, body: Self.body, keys: [key], now: Self.now, tolerance: 300) == .failure(.missingHeaders))
        var badStamp = Self.headers
        badStamp.replace("webhook-timestamp", "yesterday")
        #expect(StandardWebhook.verify(headers: badStamp, body: Self.body, keys: [key], now: Self.now, tolerance: 300) == .failure(.badTimestamp))
        #expect(StandardWebhook.key("whsec_!!!") == nil)
    }
}
