import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import ZhichengCore

/// A submitted HTML form: `application/x-www-form-urlencoded` fields, or
/// `multipart/form-data` fields and one uploaded file.
struct FormData {
    private(set) var fields: [String: [String]] = [:]
    /// The uploaded file's bytes, when the form had a file input named `file`.
    private(set) var file: [UInt8]?
    /// The uploaded file's name as the browser gave it.
    private(set) var fileName: String?

    subscript(_ name: String) -> String { fields[name]?.first ?? "" }
    func all(_ name: String) -> [String] { fields[name] ?? [] }
    func optional(_ name: String) -> String? { fields[name]?.first }

    /// A whole number typed into the field `name`: refused naming the field, with `missing`
    /// when nothing was typed and `notANumber` when something else was.
    func integer(_ name: String, missing: String, notANumber: String) throws(ZhichengError) -> Int {
        let typed = self[name].trimmingCharacters(in: .whitespaces)
        guard let value = Int(typed) else { throw .invalid(typed.isEmpty ? missing : notANumber, field: name) }
        return value
    }

    /// The same, nil when nothing was typed (a number the form may leave blank).
    func optionalInteger(_ name: String, notANumber: String) throws(ZhichengError) -> Int? {
        self[name].trimmingCharacters(in: .whitespaces).isEmpty ? nil : try integer(name, missing: notANumber, notANumber: notANumber)
    }

    /// The 年度 field of a plan or an application.
    func year() throws(ZhichengError) -> Int { try integer("year", missing: "请填写年度", notANumber: Self.yearNotANumber) }

    /// What a 年度 that is not a number is told, in a form or a list screen's filter.
    static let yearNotANumber = "年度应为四位数字，如 2026"

    /// Reads and parses the body (at most `limit` bytes).
    static func parse(_ request: Request, limit: Int) async throws -> FormData {
        let buffer = try await APIJSON.body(of: request, limit: limit)
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count) else {
                throw ZhichengError.badRequest("表单缺少 multipart 分隔符")
            }
            return try multipart(buffer, boundary: String(boundary).trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else { throw ZhichengError.badRequest("表单不是 UTF-8 编码") }
        return urlEncoded(text)
    }

    static func urlEncoded(_ text: String) -> FormData {
        var form = FormData()
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            form.fields[key, default: []].append(value)
        }
        return form
    }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    private static func multipart(_ buffer: ByteBuffer, boundary: String) throws -> FormData {
        var form = FormData()
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var headers: HTTPHeaders = [:]
        var body = ByteBuffer()
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: body))
            headers = [:]
            body = ByteBuffer()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw ZhichengError.badRequest("无法解析上传的表单")
        }
        for part in parts {
            guard let name = part.name else { continue }
            if name == "file" {
                form.file = Array(part.body.readableBytesView)
                form.fileName = part.headers.first(name: "Content-Disposition").flatMap { header in
                    header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                        .first { $0.hasPrefix("filename=") }.map { String($0.dropFirst("filename=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            } else if let value = String(validating: part.body.readableBytesView, as: UTF8.self) {
                form.fields[name, default: []].append(value)
            }
        }
        return form
    }
}
