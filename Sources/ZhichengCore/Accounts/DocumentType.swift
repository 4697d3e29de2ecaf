/// The type of an uploaded document (plan documents, application attachments),
/// told from its first bytes: PDF, PNG or JPEG.
public enum DocumentType {
    public static func detect(_ bytes: some Collection<UInt8>) throws(ZhichengError) -> String {
        if Array(bytes.prefix(5)) == Array("%PDF-".utf8) { return "application/pdf" }
        if let image = try? ImageType.detect(bytes) { return image.rawValue }
        throw ZhichengError(.unsupportedMediaType, "附件只能是 PDF、PNG 或 JPEG（按文件内容判断）")
    }
}
