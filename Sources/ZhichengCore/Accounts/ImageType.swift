/// An uploaded image's type, told from its first bytes — never from its name or
/// the declared content type.
public enum ImageType: String, Sendable {
    case png = "image/png"
    case jpeg = "image/jpeg"

    /// The type of `bytes`, or `unsupportedMediaType` when they are neither PNG nor JPEG.
    public static func detect(_ bytes: some Collection<UInt8>) throws(ZhichengError) -> ImageType {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes.count > 33 { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF, bytes.count > 4 { return .jpeg }
        throw ZhichengError(.unsupportedMediaType, "只能上传 PNG 或 JPEG 图片（按文件内容判断）")
    }
}
