import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore

@Suite("Stored chain fast reader")
struct StoredChainReaderTests {
    @Test func readsWhatEncodeWritesAndLeavesOtherSpellingsToTheParser() throws {
        let handler = ReviewChain.Reviewer(accountID: 12345, orgID: 3, roles: [.handler], series: ["中小学教师"])
        var chain = try ReviewChain(route: [3, 20, 100], endsInProvince: true)
        _ = try chain.submit()
        var chains = [chain]
        _ = try chain.decide(.pass, by: handler, series: "中小学教师")  // sets handlerDecider
        chains.append(chain)
        for chain in chains {
            let text = try ApplicationService.encode(chain)
            let fast = try #require(StoredChainReader.read(text))
            #expect(fast.route == chain.route && fast.endsInProvince == chain.endsInProvince && fast.position == chain.position)
            #expect(fast.stage == chain.stage && fast.state == chain.state && fast.handlerDecider == chain.handlerDecider)
            #expect(fast.reviewed == chain.reviewedSinceSubmission)
        }
        #expect(chains[1].handlerDecider == 12345)
        // Same chain, other spellings: the fast reader declines, the JSON parser reads them.
        let spaced = #"{ "endsInProvince": false, "position": 0, "reviewedSinceSubmission": false, "route": [1], "stage": "handler", "state": "draft" }"#
        let unsorted = #"{"route":[1],"state":"draft","stage":"handler","position":0,"endsInProvince":false,"reviewedSinceSubmission":false}"#
        for text in [spaced, unsorted] {
            #expect(StoredChainReader.read(text) == nil)
            #expect(try ApplicationService.decode(text).route == [1])
        }
        for broken in ["", "{", #"{"endsInProvince":true"#, #"{"endsInProvince":maybe}"#] {
            #expect(StoredChainReader.read(broken) == nil)
        }
    }
}
