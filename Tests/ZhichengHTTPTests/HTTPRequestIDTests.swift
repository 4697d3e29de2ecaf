import Testing
import ZhichengCore
@testable import ZhichengHTTP

/// Request ids: their shape, and an internal error's public message naming the one of its request.
@Suite("Request ids")
struct HTTPRequestIDTests {
    @Test func idsShareTheProcessPrefixAndCountUp() {
        let ids = (0..<1000).map { _ in HTTPRequestID.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.utf8.count == 15)
            #expect(id.utf8.enumerated().allSatisfy { index, byte in
                index == 6 ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            }, "\(id)")
        }
        #expect(Set(ids.map { $0.prefix(6) }).count == 1)
        let counts = ids.map { UInt32($0.suffix(8), radix: 16)! }
        // Increasing (other tests running beside this one may take ids in between).
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $1 > $0 })
    }

    @Test func anInternalErrorNamesItsRequestAndOtherErrorsDoNot() {
        let internalError = ZhichengError(.internal, "no such table: plans")
        #expect(internalError.publicMessage == ZhichengError.internalMessage, "outside a request")
        HTTPRequestID.$current.withValue("abc123-00000001") {
            #expect(internalError.publicMessage == "\(ZhichengError.internalMessage)（错误编号: abc123-00000001）")
            #expect(!internalError.publicMessage.contains("plans"))
            #expect(ZhichengError.notFound("没有这个申报").publicMessage == "没有这个申报")
        }
    }
}
