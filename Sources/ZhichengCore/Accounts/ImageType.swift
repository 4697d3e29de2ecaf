/// An uploaded image's type, told from its bytes — never from its name or the declared
/// content type: its first bytes say what it is, its last bytes that it is whole.
public enum ImageType: String, Sendable {
    case png = "image/png"
    case jpeg = "image/jpeg"

    /// The type of `bytes`: `unsupportedMediaType` when they are neither PNG nor JPEG, or
    /// when the image was cut short (an interrupted copy or download).
    public static func detect(_ bytes: some Collection<UInt8>) throws(ZhichengError) -> ImageType {
        guard let type = announced(by: bytes) else { throw ZhichengError(.unsupportedMediaType, "只能上传 PNG 或 JPEG 图片（按文件内容判断）") }
        try type.requireWhole(bytes)
        return type
    }

    /// The type the first bytes announce, whole or not.
    static func announced(by bytes: some Collection<UInt8>) -> ImageType? {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        return nil
    }

    /// Refuses an image of this type that was cut short, by walking its structure from the
    /// start to its end marker: a PNG's chunks up to IEND, a JPEG's segments and scans up to
    /// EOI (FF D9). Bytes after the end (a phone's motion-photo video after a JPEG) are
    /// allowed; a chunk or segment running past the last byte, or no end, is not.
    func requireWhole(_ bytes: some Collection<UInt8>) throws(ZhichengError) {
        let isWhole = self == .png ? Self.pngIsWhole : Self.jpegIsWhole
        guard !(bytes.withContiguousStorageIfAvailable(isWhole) ?? Array(bytes).withUnsafeBufferPointer(isWhole)) else { return }
        switch self {
        case .png: throw ZhichengError(.unsupportedMediaType, "PNG 图片不完整或已损坏（未读到结尾的 IEND 块），请重新保存后上传")
        case .jpeg: throw ZhichengError(.unsupportedMediaType, "JPEG 图片不完整或已损坏（未读到结尾标记 FFD9），请重新保存后上传")
        }
    }

    /// Chunks after the 8-byte signature: length (4, big-endian), type (4), data, CRC (4).
    static func pngIsWhole(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 8
        while i + 8 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let end = i + 12 + length
            guard end <= b.count else { return false }
            if b[i + 4] == 0x49, b[i + 5] == 0x45, b[i + 6] == 0x4E, b[i + 7] == 0x44 { return true }  // IEND
            i = end
        }
        return false
    }

    /// Markers after SOI (FF D8): a segment with a 2-byte big-endian length (which counts
    /// itself), a standalone marker (RST0–7, TEM), or after SOS (FF DA) compressed data,
    /// in which an FF is followed by 00 (a stuffed byte) or a restart marker until the
    /// next marker. The image is whole once EOI (FF D9) is reached.
    static func jpegIsWhole(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 2
        while i + 1 < b.count {
            guard b[i] == 0xFF else { return false }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD9 { return true }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            guard i + 3 < b.count else { return false }
            let end = i + 2 + (Int(b[i + 2]) << 8 | Int(b[i + 3]))
            guard end <= b.count, end >= i + 4 else { return false }
            i = end
            guard marker == 0xDA else { continue }
            // Compressed data up to the next marker.
            while i + 1 < b.count, b[i] != 0xFF || b[i + 1] == 0x00 || b[i + 1] == 0xFF || (0xD0...0xD7).contains(b[i + 1]) {
                i += b[i] == 0xFF && b[i + 1] != 0xFF ? 2 : 1
            }
        }
        return false
    }
}
