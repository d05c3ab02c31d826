import Foundation
import Testing

extension IntegrationSuites {
    /// Recorded Label Studio ML-backend calls (Fixtures/label-studio) replayed against a live server with the
    /// real Postgres, the text encoder and the demo head.
    struct LabelStudioTests {
        static let prefix = "/integrations/label-studio"

        @Test(.enabled(if: IntegrationServer.enabled))
        func pairwiseProjectLearnsTheAnnotator() async throws {
            try await IntegrationServer.withServer { client, _ in
                let health = try await client.get(Self.prefix + "/health")
                #expect(health.status == 200 && health.text.contains(#""status":"UP""#), "\(health.text)")
                let setup = try await client.post(Self.prefix + "/setup", try IntegrationServer.fixture("label-studio/setup.json"))
                #expect(setup.status == 200, "\(setup.text)")
                #expect(try IntegrationServer.object(setup.text)["model_version"] as? String == "demo@demo-persona-1")

                // Before any label: population predictions, in the shape Label Studio accepts.
                let predictBody = try IntegrationServer.fixture("label-studio/predict-pairwise.json")
                let before = try Self.predictions(try await client.post(Self.prefix + "/predict", predictBody))
                #expect(before.count == 2)
                for p in before {
                    #expect(p.version.hasSuffix("#population"))
                    #expect(p.type == "pairwise" && p.fromName == "pw" && p.toName == "answer1,answer2")
                }

                // Six annotations by user 3, each replayed twice: stored once.
                let events = try IntegrationServer.fixtureArray("label-studio/webhooks-pairwise-created.json")
                for round in 0..<2 {
                    for event in events {
                        let r = try await client.post(Self.prefix + "/webhook", event)
                        #expect(r.status == 200, "\(r.text)")
                        let label = try #require((try IntegrationServer.object(r.text)["labels"] as? [[String: Any]])?.first)
                        #expect(label["user"] as? String == "label-studio:3")
                        #expect(label["stored"] as? Int == (round == 0 ? 1 : 0))
                        #expect(label["unchanged"] as? Int == (round == 0 ? 0 : 1))
                    }
                }
                var history = try await Self.history(client, "label-studio:3")
                #expect(history.count == 6)
                // The annotator always picked the kind statement; every stored comparison says so.
                let kind = try Self.kindStatements()
                #expect(history.allSatisfy { kind.contains($0.chosen) && !kind.contains($0.rejected) })
                #expect(try await Self.history(client, "label-studio:4").isEmpty)

                // The same tasks for user 3: a fitted state now, and it follows the annotator's taste.
                let forUser = predictBody.replacingOccurrences(of: #""context": null"#, with: #""context": {"user_id": 3}"#)
                #expect(forUser != predictBody)
                let after = try Self.predictions(try await client.post(Self.prefix + "/predict", forUser))
                #expect(after.count == 2)
                #expect(after.allSatisfy { $0.version.contains("#v") })
                // Held out: the probability of the kind statement rises for this annotator.
                func pKind(_ p: Prediction, kindSide: String) -> Double { p.selected == kindSide ? p.score : 1 - p.score }
                let sides = ["left", "right"]
                let gain = zip(zip(before, after), sides).map { pair, side in pKind(pair.1, kindSide: side) - pKind(pair.0, kindSide: side) }
                #expect(gain.reduce(0, +) > 0, "held-out P(kind) changes: \(gain)")
                // Labelled tasks: the fitted state reproduces the annotator's choices.
                let labelled = try events.map { try IntegrationServer.object($0)["task"] as Any }
                var request = try IntegrationServer.object(forUser)
                request["tasks"] = labelled
                let refit = try Self.predictions(try await client.post(Self.prefix + "/predict",
                    String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)))
                let agree = zip(refit, 0..<6).filter { $0.0.selected == ($0.1 % 2 == 0 ? "left" : "right") }.count
                #expect(agree >= 5, "the annotator's own labels predicted \(agree)/6")

                // An edit flips the first pair: the same comparison is replaced, not duplicated.
                let updated = try await client.post(Self.prefix + "/webhook", try IntegrationServer.fixture("label-studio/webhook-pairwise-updated.json"))
                #expect(updated.text.contains(#""replaced":1"#), "\(updated.text)")
                history = try await Self.history(client, "label-studio:3")
                #expect(history.count == 6)
                #expect(history.filter { !kind.contains($0.chosen) }.count == 1)

                // A deletion removes exactly that annotation's comparison; replaying it changes nothing.
                let deleted = try IntegrationServer.fixture("label-studio/webhook-annotations-deleted.json")
                #expect(try await client.post(Self.prefix + "/webhook", deleted).text.contains(#""removed":1"#))
                #expect(try await client.post(Self.prefix + "/webhook", deleted).text.contains(#""labels":[]"#))
                #expect(try await Self.history(client, "label-studio:3").count == 5)

                // Prequential accuracy over the five remaining labels.
                let stats = try await client.get("/v1/users/label-studio:3/stats?last=3")
                #expect(stats.status == 200, "\(stats.text)")
                let s = try IntegrationServer.object(stats.text)
                let overall = try #require(s["predictions"] as? [String: Any])
                #expect(overall["n"] as? Int == 5)
                #expect(s["comparisons"] as? Int == 5)
                #expect((s["recent"] as? [String: Any])?["n"] as? Int == 3)
                #expect(try await client.get("/v1/users/nobody/stats").status == 404)
            }
        }

        @Test(.enabled(if: IntegrationServer.enabled))
        func rankerTasksBecomeAllImpliedPairs() async throws {
            try await IntegrationServer.withServer { client, _ in
                let predicted = try Self.predictions(try await client.post(Self.prefix + "/predict", try IntegrationServer.fixture("label-studio/predict-ranker.json")))
                #expect(predicted.count == 1)
                #expect(predicted.first?.type == "ranker")
                #expect(Set(predicted.first?.ranked ?? []) == ["a", "b", "c", "d"])
                let event = try IntegrationServer.fixture("label-studio/webhook-ranker-created.json")
                for _ in 0..<2 { #expect(try await client.post(Self.prefix + "/webhook", event).status == 200) }
                let history = try await Self.history(client, "label-studio:4")
                #expect(history.count == 6, "4 ranked items imply 6 pairs")
                // c ≻ a ≻ d ≻ b: c is never rejected, b never chosen.
                let bodies = try Self.rankerBodies()
                #expect(!history.contains { $0.rejected == bodies["c"] })
                #expect(!history.contains { $0.chosen == bodies["b"] })
            }
        }

        @Test(.enabled(if: IntegrationServer.enabled))
        func unknownShapesGetClearErrors() async throws {
            try await IntegrationServer.withServer { client, _ in
                let unsupported = try await client.post(Self.prefix + "/predict", try IntegrationServer.fixture("label-studio/predict-unsupported.json"))
                #expect(unsupported.status == 422)
                #expect(unsupported.text.contains("Pairwise") && unsupported.text.contains("Ranker"), "\(unsupported.text)")
                let unmapped = try IntegrationServer.fixture("label-studio/predict-pairwise.json").replacingOccurrences(of: #""7.1764324800""#, with: #""8.1""#)
                let r = try await client.post(Self.prefix + "/predict", unmapped)
                #expect(r.status == 404 && r.text.contains("project 8"), "\(r.text)")
                let missingData = #"{"tasks":[{"id":1,"data":{"answer1":"x"}}],"project":"7.1","label_config":"<View><Pairwise name=\"pw\" toName=\"a,b\"/><Text name=\"a\" value=\"$answer1\"/><Text name=\"b\" value=\"$answer2\"/></View>"}"#
                let bad = try await client.post(Self.prefix + "/predict", missingData)
                #expect(bad.status == 422 && bad.text.contains("/tasks/0/data/answer2"), "\(bad.text)")
                let ignored = try await client.post(Self.prefix + "/webhook", #"{"action":"PROJECT_UPDATED","project":{"id":7}}"#)
                #expect(ignored.status == 200 && ignored.text.contains("ignored"))
                #expect(try await client.post(Self.prefix + "/webhook", "[1,2]").status == 422)
                // The bulk form (ANNOTATIONS_CREATED: arrays of annotations and of their tasks).
                let events = try IntegrationServer.fixtureArray("label-studio/webhooks-pairwise-created.json").prefix(2).map(IntegrationServer.object)
                let bulk: [String: Any] = ["action": "ANNOTATIONS_CREATED", "annotation": events.map { $0["annotation"]! },
                                           "task": events.map { $0["task"]! }, "project": events[0]["project"]!]
                let b = try await client.post(Self.prefix + "/webhook", String(decoding: try JSONSerialization.data(withJSONObject: bulk), as: UTF8.self))
                #expect(b.status == 200 && b.text.components(separatedBy: #""stored":1"#).count == 3, "\(b.text)")
                #expect(try await Self.history(client, "label-studio:3").count == 2)
            }
        }

        // MARK: helpers

        struct Prediction {
            var type: String, fromName: String, toName: String, selected: String?, ranked: [String]?, score: Double, version: String
        }

        static func predictions(_ reply: LiveClient.Reply) throws -> [Prediction] {
            #expect(reply.status == 200, "\(reply.text)")
            let results = try #require(try IntegrationServer.object(reply.text)["results"] as? [[String: Any]])
            return try results.map { r in
                let regions = try #require(r["result"] as? [[String: Any]])
                #expect(regions.count == 1, "non-empty result for every task")
                let region = try #require(regions.first)
                let value = try #require(region["value"] as? [String: Any])
                let ranked = (value["ranker"] as? [String: Any])?[region["from_name"] as? String ?? ""] as? [String]
                return Prediction(type: region["type"] as? String ?? "", fromName: region["from_name"] as? String ?? "",
                                  toName: region["to_name"] as? String ?? "", selected: value["selected"] as? String, ranked: ranked,
                                  score: try #require(r["score"] as? Double), version: try #require(r["model_version"] as? String))
            }
        }

        static func history(_ client: LiveClient, _ user: String) async throws -> [(chosen: String, rejected: String)] {
            let r = try await client.get("/v1/users/\(user)/comparisons?limit=100")
            if r.status == 404 { return [] }  // a user with no comparisons and no state
            let rows = try #require(try IntegrationServer.object(r.text)["comparisons"] as? [[String: Any]], "\(r.text)")
            return rows.map { (($0["chosen"] as? [String: Any])?["text"] as? String ?? "", ($0["rejected"] as? [String: Any])?["text"] as? String ?? "") }
        }

        static func kindStatements() throws -> Set<String> {
            var kind = Set<String>()
            for event in try IntegrationServer.fixtureArray("label-studio/webhooks-pairwise-created.json") {
                let o = try IntegrationServer.object(event)
                let data = try #require((o["task"] as? [String: Any])?["data"] as? [String: Any])
                let region = try #require(((o["annotation"] as? [String: Any])?["result"] as? [[String: Any]])?.first)
                let selected = (region["value"] as? [String: Any])?["selected"] as? String
                kind.insert(try #require(data[selected == "left" ? "answer1" : "answer2"] as? String))
            }
            return kind
        }

        static func rankerBodies() throws -> [String: String] {
            let o = try IntegrationServer.object(try IntegrationServer.fixture("label-studio/webhook-ranker-created.json"))
            let items = try #require(((o["task"] as? [String: Any])?["data"] as? [String: Any])?["answers"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: items.map { ($0["id"] as! String, $0["body"] as! String) })
        }
    }
}
