import Testing
@testable import RewardService

struct LabelStudioConfigTests {
    @Test func pairwiseConfigNamesItsDataFields() throws {
        let c = try LabelStudioConfig.parse("""
            <View>
              <!-- <Ranker name="commented" toName="x"/> -->
              <Header value="Which is better?"/>
              <Text name="prompt" value="$prompt"/>
              <Pairwise name="pw" toName="answer1, answer2" leftClass="text1"/>
              <Text name="answer1" value="$answer1"></Text>
              <Text name='answer2' value='$answer2' />
            </View>
            """)
        #expect(c.control == .pairwise(name: "pw", toName: "answer1, answer2", leftKey: "answer1", rightKey: "answer2"))
        #expect(c.promptKey == "prompt")
    }

    @Test func rankerConfigNamesItsList() throws {
        let c = try LabelStudioConfig.parse(#"<View><List name="results" value="$items" title="Results"/><Ranker name="rank" toName="results"/></View>"#)
        #expect(c.control == .ranker(name: "rank", toName: "results", listKey: "items", hasBuckets: false))
        #expect(c.promptKey == nil)
        let buckets = try LabelStudioConfig.parse(#"<View><List name="r" value="$items"/><Ranker name="rank" toName="r"><Bucket name="best"/></Ranker></View>"#)
        #expect(buckets.control == .ranker(name: "rank", toName: "r", listKey: "items", hasBuckets: true))
    }

    @Test func configsWithoutAComparisonAreRejected() {
        for xml in ["", "<View/>", #"<View><Text name="t" value="$t"/><Choices name="c" toName="t"/></View>"#,
                    #"<View><Pairwise name="p" toName="a"/><Text name="a" value="$a"/></View>"#,
                    #"<View><Pairwise name="p" toName="a,b"/><Text name="a" value="$a"/><Text name="b" value="literal"/></View>"#,
                    #"<View><Ranker name="r" toName="nothing"/></View>"#, "<<<>>>", #"<View><Pairwise name="p toName=></View>"#] {
            #expect(throws: ScoringError.self, "\(xml)") { try LabelStudioConfig.parse(xml) }
        }
    }
}
