import NIOCore
import ZhichengAdminProtocol

/// One unit the admin line decoder produces.
public enum AdminFrame: Sendable, Equatable {
    /// A complete line without its `\n`.
    case line(ByteBuffer)
    /// The peer sent more than `maxLineBytes` without a newline; the rest of the
    /// connection is discarded.
    case tooLong
}

/// Splits the byte stream on `\n` only (NIO's `LineBasedFrameDecoder` also splits
/// on CR, VT and FF) and enforces the 1 MiB line limit without buffering more
/// than the limit.
public struct AdminLineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = AdminFrame
    public let maxLineBytes: Int
    private var scanned = 0
    private var overflowed = false

    public init(maxLineBytes: Int = AdminFraming.maxLineBytes) { self.maxLineBytes = maxLineBytes }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !overflowed else {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        let start = view.startIndex + scanned
        if let newline = view[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            guard length <= maxLineBytes else { return overflow(context: context, buffer: &buffer) }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            scanned = 0
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        if view.count > maxLineBytes { return overflow(context: context, buffer: &buffer) }
        return .needMoreData
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A final line without a newline is not a request; drop it.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    private mutating func overflow(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        overflowed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(wrapInboundOut(.tooLong))
        return .needMoreData
    }
}
