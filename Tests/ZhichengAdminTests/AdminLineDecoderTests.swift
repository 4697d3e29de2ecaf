import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import ZhichengAdmin

@Suite("Admin line decoder")
struct AdminLineDecoderTests {
    @Test func splitsOnNewlineOnly() throws {
        // CR, VT and FF are not separators (NIO's LineBasedFrameDecoder splits on them).
        let input = ByteBuffer(string: "{\"a\":1}\n{\"b\":\"x\u{0B}y\u{0C}z\r\"}\n\n")
        let expected: [(ByteBuffer, [AdminFrame])] = [(input, [
            .line(ByteBuffer(string: "{\"a\":1}")),
            .line(ByteBuffer(string: "{\"b\":\"x\u{0B}y\u{0C}z\r\"}")),
            .line(ByteBuffer(string: "")),
        ])]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: expected) { AdminLineDecoder(maxLineBytes: 64) }
    }

    @Test func linesAtTheLimitPassAndLongerOnesOverflowOnce() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AdminLineDecoder(maxLineBytes: 8)))
        try channel.writeInbound(ByteBuffer(string: "12345678\n"))
        #expect(try channel.readInbound(as: AdminFrame.self) == .line(ByteBuffer(string: "12345678")))
        try channel.writeInbound(ByteBuffer(string: "123456789"))
        #expect(try channel.readInbound(as: AdminFrame.self) == .tooLong)
        try channel.writeInbound(ByteBuffer(string: "more\n{}\n"))
        #expect(try channel.readInbound(as: AdminFrame.self) == nil)
        _ = try? channel.finish()
    }

    @Test func aLongLineWithItsNewlineInOneChunkOverflows() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AdminLineDecoder(maxLineBytes: 4)))
        try channel.writeInbound(ByteBuffer(string: "123456\n"))
        #expect(try channel.readInbound(as: AdminFrame.self) == .tooLong)
        _ = try? channel.finish()
    }
}
