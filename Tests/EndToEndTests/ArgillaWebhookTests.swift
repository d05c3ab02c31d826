import Foundation
import Testing

extension IntegrationSuites {
    /// Recorded Argilla v2 webhook deliveries (Fixtures/argilla), signed as Argilla signs them, replayed
    /// against a live server with the real Postgres.
    struct ArgillaWebhookTests {
        static let path = "/integrations/argilla/webhook"
        static let user = "argilla:6f2b8e4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"

        @Test(.enabled(if: IntegrationServer.enabled))
        func responsesBecomeTheAnnotatorsComparisons() async throws {
            try await IntegrationServer.withServer { client, _ in
                let created = try IntegrationServer.fixture("argilla/response-created.json")
                // Replayed (Argilla retries deliveries): stored once.
                for round in 0..<2 {
                    let r = try await client.send("POST", Self.path, created, headers: IntegrationServer.signed(created))
                    #expect(r.status == 200, "\(r.text)")
                    #expect(r.text.contains(round == 0 ? #""stored":3"# : #""unchanged":3"#), "\(r.text)")
                }
                var history = try await IntegrationSuites.LabelStudioTests.history(client, Self.user)
                #expect(history.count == 3, "3 ranked options imply 3 pairs")
                let fields = try Self.fields()
                #expect(!history.contains { $0.rejected == fields["response2"] })
                #expect(!history.contains { $0.chosen == fields["response1"] })

                // The update ties response2 and response3: their comparison goes, the other two stay.
                let updated = try IntegrationServer.fixture("argilla/response-updated.json")
                let u = try await client.send("POST", Self.path, updated, headers: IntegrationServer.signed(updated))
                #expect(u.text.contains(#""removed":1"#) && u.text.contains(#""unchanged":2"#), "\(u.text)")
                history = try await IntegrationSuites.LabelStudioTests.history(client, Self.user)
                #expect(history.count == 2)
                #expect(history.allSatisfy { $0.rejected == fields["response1"] })

                // Bad signatures, stale or missing headers: 401, nothing stored.
                var forged = IntegrationServer.signed(created)
                forged["webhook-signature"] = "v1," + Data(repeating: 7, count: 32).base64EncodedString()
                #expect(try await client.send("POST", Self.path, created, headers: forged).status == 401)
                let otherSecret = "whsec_" + Data(repeating: 1, count: 24).base64EncodedString()
                #expect(try await client.send("POST", Self.path, created, headers: IntegrationServer.signed(created, secret: otherSecret)).status == 401)
                let stale = IntegrationServer.signed(created, timestamp: Date().addingTimeInterval(-3600))
                #expect(try await client.send("POST", Self.path, created, headers: stale).status == 401)
                let tampered = created.replacingOccurrences(of: #""rank": 3"#, with: #""rank": 2"#)
                #expect(tampered != created)
                #expect(try await client.send("POST", Self.path, tampered, headers: IntegrationServer.signed(created)).status == 401)
                #expect(try await client.send("POST", Self.path, created).status == 401)
                #expect(try await IntegrationSuites.LabelStudioTests.history(client, Self.user).count == 2)

                // Deleted: only the response id is sent; everything it produced goes.
                let deleted = try IntegrationServer.fixture("argilla/response-deleted.json")
                let d = try await client.send("POST", Self.path, deleted, headers: IntegrationServer.signed(deleted))
                #expect(d.text.contains(#""removed":2"#), "\(d.text)")
                #expect(try await IntegrationSuites.LabelStudioTests.history(client, Self.user).isEmpty)

                // A dataset without a comparison question: a clear 422.
                let noQuestion = created.replacingOccurrences(of: #""type": "ranking""#, with: #""type": "text""#)
                let q = try await client.send("POST", Self.path, noQuestion, headers: IntegrationServer.signed(noQuestion))
                #expect(q.status == 422 && q.text.contains("ranking or label question"), "\(q.text)")
            }
        }

        static func fields() throws -> [String: String] {
            let o = try IntegrationServer.object(try IntegrationServer.fixture("argilla/response-created.json"))
            let record = try #require(((o["data"] as? [String: Any])?["record"] as? [String: Any])?["fields"] as? [String: String])
            return record
        }
    }
}
