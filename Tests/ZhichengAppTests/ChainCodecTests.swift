import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore

@Suite("Stored review chain")
struct ChainCodecTests {
    /// The hand-written codec must write exactly what `Codable` wrote before it, and read both.
    @Test func matchesTheCodableFormAndRoundTrips() throws {
        let handler = ReviewChain.Reviewer(accountID: 7, orgID: 3, roles: [.handler], series: ["中小学教师"])
        var chains: [ReviewChain] = [try ReviewChain(route: [3, 2, 1], endsInProvince: true)]
        var chain = try ReviewChain(route: [3, 2, 1], endsInProvince: false)
        _ = try chain.submit()
        chains.append(chain)
        _ = try chain.decide(.pass, by: handler, series: "中小学教师")
        chains.append(chain)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for chain in chains {
            let codable = String(decoding: try encoder.encode(chain), as: UTF8.self)
            #expect(try ApplicationService.encode(chain) == codable)
            #expect(try ApplicationService.decode(codable) == chain)
            #expect(try ApplicationService.decode(try ApplicationService.encode(chain)) == chain)
        }
        #expect(throws: ZhichengError.self) { try ApplicationService.decode("{\"route\":[]}") }
    }
}
