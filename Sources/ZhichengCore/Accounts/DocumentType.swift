/// The type of an uploaded document (plan documents, application attachments),
/// told from its bytes: PDF, PNG or JPEG, and refused when it was cut short.
public enum DocumentType {
    public static func detect(_ bytes: some Collection<UInt8>) throws(ZhichengError) -> String {
        if Array(bytes.prefix(5)) == Array("%PDF-".utf8) {
            // A whole PDF ends with its end-of-file marker; readers look for it in the last
            // 1024 bytes. Without it the file was cut short (an interrupted export or copy).
            guard endsAsPDF(Array(bytes.suffix(1024))) else {
                throw ZhichengError(.unsupportedMediaType, "PDF 文件不完整（结尾缺少 %%EOF 标记），请重新导出后上传")
            }
            return "application/pdf"
        }
        if let image = ImageType.announced(by: bytes) {
            try image.requireWhole(bytes)
            return image.rawValue
        }
        throw ZhichengError(.unsupportedMediaType, "附件只能是 PDF、PNG 或 JPEG（按文件内容判断）")
    }

    static func endsAsPDF(_ tail: [UInt8]) -> Bool {
        let marker = Array("%%EOF".utf8)
        guard tail.count >= marker.count else { return false }
        return (0...(tail.count - marker.count)).contains { Array(tail[$0..<$0 + marker.count]) == marker }
    }
}
